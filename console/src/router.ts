import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/campaigns/<id>`): the page is one file at /console, so every screen is reachable
 * by a link without the server knowing the console's routes.
 */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function navigate(...segments: string[]): void {
  location.hash = `#/${segments.map(encodeURIComponent).join('/')}`;
}

export const href = (...segments: string[]) => `#/${segments.map(encodeURIComponent).join('/')}`;
