import type { ApiProblem } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ problem, retry }: { problem: ApiProblem; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p>
        {problem.message} <code>{problem.code}</code>
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="state empty">{children}</p>;
}
