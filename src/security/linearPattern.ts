// Compiles a regular expression written by a flow or form author on re2js, whose matching time is linear in the
// input, so no pattern and no input can hold the event loop (DESIGN §2 "Untrusted patterns and expressions").
// Our own built-in patterns (e.g. the email check) stay on RegExp: they are reviewed code, not author input.
import { RE2JS } from 're2js';

/**
 * Largest compiled program we run. Matching is linear in input × program size, and `(.*a){1000}` (5,002) already
 * takes seconds over a 64 KB input; real-world patterns stay well under a few hundred.
 */
export const MAX_PROGRAM_SIZE = 1_000;
const CACHE_LIMIT = 500;

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

const cache = new Map<string, RE2JS>();

/**
 * The compiled pattern; `flags` may hold JavaScript's `i`, `m` and `s` (others, like `g`, do not change what
 * matches). Throws PatternError for what RE2 syntax cannot express (backreferences, lookaround) or a program too big.
 */
export function linearPattern(source: string, flags = ''): RE2JS {
  const key = `${flags}/${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, re2Flags(flags));
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : 'invalid';
    throw new PatternError(`${reason} (patterns use RE2 syntax: no backreferences or lookaround)`);
  }
  if (compiled.programSize() > MAX_PROGRAM_SIZE) {
    throw new PatternError(`pattern is too complex (${compiled.programSize()} > ${MAX_PROGRAM_SIZE} instructions)`);
  }
  cache.set(key, compiled);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** For validation: why a pattern cannot run, or `null` when it can. */
export function patternProblem(source: string, flags = ''): string | null {
  try {
    linearPattern(source, flags);
    return null;
  } catch (err) {
    return err instanceof PatternError ? err.message : 'invalid pattern';
  }
}

function re2Flags(flags: string): number {
  let result = 0;
  if (flags.includes('i')) result |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) result |= RE2JS.MULTILINE;
  if (flags.includes('s')) result |= RE2JS.DOTALL;
  return result;
}
