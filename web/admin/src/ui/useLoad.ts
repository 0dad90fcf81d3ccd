import { useCallback, useEffect, useState } from 'react';
import { type ApiProblem, problemOf } from '../api/client.js';

type Loaded<T> = { state: 'loading' } | { state: 'error'; problem: ApiProblem } | { state: 'ready'; data: T };

/** One API read with its loading and error states; `reload` runs it again. */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  deps: unknown[],
): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the read depends on.
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      ({ data, error, response }) => {
        if (!live) return;
        setResult(
          data !== undefined ? { state: 'ready', data } : { state: 'error', problem: problemOf(error, response) },
        );
      },
      (error: unknown) => live && setResult({ state: 'error', problem: problemOf(error, undefined) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return [result, useCallback(() => setRound((n) => n + 1), [])];
}
