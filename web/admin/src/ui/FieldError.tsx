import type { ApiProblem } from '../api/client.js';
import { issuesAt } from './problems.js';

/**
 * The service's messages about one input, shown next to it. Give the input `aria-describedby={id}` so a screen
 * reader reads the message with the field.
 */
export function FieldError({
  problem,
  path,
  id,
  exact,
}: {
  problem: ApiProblem | undefined;
  path: string;
  id?: string;
  /** Only issues about `path` itself, when its parts have inputs of their own. */
  exact?: boolean;
}) {
  const issues = issuesAt(problem, path).filter((issue) => !exact || issue.path === path);
  if (issues.length === 0) return null;
  return (
    <span className="field-error" id={id} role="alert" data-path={path}>
      {issues.map((issue) => (issue.path === path ? issue.message : `${issue.path}: ${issue.message}`)).join('; ')}
    </span>
  );
}

/** The answer's own message (and code) above a form; per-field details appear beside their fields. */
export function FormProblem({ problem }: { problem: ApiProblem | undefined }) {
  if (!problem) return null;
  return (
    <p className="error" role="alert">
      {problem.message} <code>{problem.code}</code>
    </p>
  );
}
