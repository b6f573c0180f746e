/**
 * The API key lives in this tab's sessionStorage only: never in a URL, a cookie or localStorage,
 * so it leaves with the tab and no request the browser makes on its own carries it.
 */
const KEY = 'herald.apiKey';

export const session = {
  key: (): string | undefined => sessionStorage.getItem(KEY) ?? undefined,
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};
