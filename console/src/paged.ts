import type { Dispatch, StateUpdater } from 'preact/hooks';
import { useEffect, useState } from 'preact/hooks';
import type { Page } from './types.ts';

/**
 * A listing read a page at a time: the first page whenever `deps` change (the list and the error
 * cleared while it loads), `more()` appending the next one while there is a cursor; errors go to `setError`.
 * `setItems` lets a screen update a row in place after an action.
 */
export function usePagedList<T>(
  page: (cursor?: string) => Promise<Page<T>>,
  setError: (error: unknown) => void,
  deps: readonly unknown[] = [],
): {
  items: T[] | undefined;
  setItems: Dispatch<StateUpdater<T[] | undefined>>;
  next: string | undefined;
  more: () => Promise<void>;
} {
  const [items, setItems] = useState<T[]>();
  const [next, setNext] = useState<string>();
  // The caller names what the first page depends on (`deps`).
  useEffect(() => {
    setItems(undefined);
    setError(undefined);
    page().then((first) => {
      setItems(first.items);
      setNext(first.nextCursor);
    }, setError);
  }, deps);
  const more = async () => {
    if (!next) return;
    try {
      const further = await page(next);
      setItems([...(items ?? []), ...further.items]);
      setNext(further.nextCursor);
    } catch (caught) {
      setError(caught);
    }
  };
  return { items, setItems, next, more };
}
