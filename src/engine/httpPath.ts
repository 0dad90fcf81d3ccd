// Rules for an http node's `path` template (§5 SSRF guard): the literal text must be a relative path, and every
// inserted value is percent-encoded (TemplateMode `path`), so a value can never add a segment, a host, a scheme, a
// query or a fragment. The rendered path is checked once more for what empty or dot values could still produce.
import { parseTemplate, type TemplatePart } from './templates.js';

const FORBIDDEN_LITERALS: readonly [string, string][] = [
  ['://', 'must not contain "://" (the connection decides the host)'],
  ['\\', 'must not contain "\\"'],
  ['?', 'must not contain "?" (put query parameters in "query")'],
  ['#', 'must not contain "#"'],
];

/** For validation: what is wrong with the literal text of a path template (empty when it is fine or unparsable). */
export function pathTemplateProblems(template: string): string[] {
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(template);
  } catch {
    return []; // The template check reports the syntax error.
  }
  const problems: string[] = [];
  const first = parts[0];
  if (first?.kind !== 'literal' || !first.text.startsWith('/')) {
    problems.push('must start with "/" (a path below the connection\'s base URL)');
  } else if (first.text.startsWith('//')) {
    problems.push('must not start with "//"');
  }
  const literals = parts.flatMap((part) => (part.kind === 'literal' ? [part.text] : []));
  for (const [needle, message] of FORBIDDEN_LITERALS) {
    if (literals.some((text) => text.includes(needle))) problems.push(message);
  }
  if (literals.some((text) => /[\s\p{Cc}]/u.test(text))) problems.push('must not contain spaces or control characters');
  // Values are never dot segments on their own here: each counts as one ordinary character.
  const skeleton = parts.map((part) => (part.kind === 'literal' ? part.text : 'x')).join('');
  if (hasDotSegment(skeleton)) problems.push('must not contain "." or ".." segments');
  return problems;
}

/** At run time: why a rendered path may not be sent, or `null`. */
export function renderedPathProblem(path: string): string | null {
  // An empty value between two slashes (`/{{ a }}/x` with a = "") would make a network-path reference `//x`.
  if (path.startsWith('//')) return 'the rendered path starts with "//"';
  // URL parsers resolve ".", "..", "%2e" and "%2e%2e" segments, which would climb out of the connection's base path.
  if (hasDotSegment(path)) return 'the rendered path contains a "." or ".." segment';
  return null;
}

function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    const decoded = segment.replace(/%2e/gi, '.');
    return decoded === '.' || decoded === '..';
  });
}
