import { useCallback, useState } from 'react';
import { type ApiProblem, problemOf } from '../api/client.js';

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * One write at a time with its problem kept for the form to show (the message on top, `details.fields` beside the
 * inputs). `run` answers the data, or undefined when the service refused.
 */
export function useAction(): {
  run: <T>(call: () => Promise<Answer<T>>) => Promise<T | undefined>;
  busy: boolean;
  problem: ApiProblem | undefined;
  clear: () => void;
  /** Shows a problem found before sending (e.g. JSON that does not parse), in the same places. */
  fail: (problem: ApiProblem) => void;
} {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const run = useCallback(async <T>(call: () => Promise<Answer<T>>): Promise<T | undefined> => {
    setBusy(true);
    setProblem(undefined);
    try {
      const { data, error, response } = await call();
      // A 204 has no body: the response status tells success.
      if (response.ok) return (data ?? (null as T)) as T;
      setProblem(problemOf(error, response));
      return undefined;
    } catch (error) {
      setProblem(problemOf(error, undefined));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setProblem(undefined), []);
  return { run, busy, problem, clear, fail: setProblem };
}
