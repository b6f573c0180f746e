import { useState } from 'preact/hooks';

/**
 * One action at a time on a screen: `perform(key, action)` marks `key` busy (the control that
 * started it, or `true`), clears the last problem and notice, and shows the notice the action
 * returns, or its problem through `setError`.
 */
export function useAction<K>(
  setError: (error: unknown) => void,
  setNotice: (notice: string | undefined) => void,
) {
  const [busy, setBusy] = useState<K>();
  const perform = async (key: K, action: () => Promise<string>) => {
    setBusy(key);
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await action());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, perform };
}
