// Pure (no DOM): unit-tested outside the browser.

/** The part of a failed call's problem that names fields (api/client.ts ApiProblem fits it). */
interface ApiProblem {
  details?: unknown;
}

/** One entry of a §12 `details.fields` list: the service names the input it refuses by path. */
export interface FieldIssue {
  path: string;
  rule?: string;
  message: string;
}

export function fieldIssues(problem: ApiProblem | undefined): FieldIssue[] {
  const fields = (problem?.details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(fields)) return [];
  return (
    fields
      .filter(
        (f): f is FieldIssue =>
          typeof f === 'object' &&
          f !== null &&
          typeof (f as FieldIssue).path === 'string' &&
          typeof (f as FieldIssue).message === 'string',
      )
      // A shape error (400) names its path from the body (`body.eventTypes`); the service's rules name the member.
      .map((f) => (f.path.startsWith('body.') ? { ...f, path: f.path.slice('body.'.length) } : f))
  );
}

/** The issues about `path` or anything inside it (`fields[0]` claims `fields[0].name`), so no message is lost. */
export function issuesAt(problem: ApiProblem | undefined, path: string): FieldIssue[] {
  return fieldIssues(problem).filter(
    (issue) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`),
  );
}

/**
 * The same problem with `prefix` taken off its field paths, so a saved report's `definition.metrics` lands beside
 * the same input as the query endpoint's `metrics`.
 */
export function withoutPrefix<P extends ApiProblem>(problem: P | undefined, prefix: string): P | undefined {
  if (!problem) return undefined;
  const fields = fieldIssues(problem).map((f) =>
    f.path.startsWith(prefix) ? { ...f, path: f.path.slice(prefix.length) } : f,
  );
  return { ...problem, details: { ...(problem.details as object), fields } };
}
