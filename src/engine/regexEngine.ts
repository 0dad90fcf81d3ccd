// The RegExp stand-in JSONata runs regex literals with (its `RegexEngine` option), backed by re2js so that `$match`,
// `$replace`, `$split` and `$contains` take time linear in their input whatever the pattern.
// JSONata constructs it from the literal's RegExp, sets `lastIndex`, calls `exec` and reads `index`, `[i]`, `length`
// and `lastIndex`, always as a global regex: that is all this class provides.
import type { Matcher, RE2JS } from 're2js';
import { linearPattern } from '../security/linearPattern.js';
import { ExpressionError } from './expressionError.js';

/**
 * Most input × program size one `exec` may scan: linear is not instant (re2js's NFA does ~40 instructions per µs),
 * and a single `exec` cannot be interrupted by the expression's time budget.
 */
export const MAX_REGEX_WORK = 4_000_000;
/**
 * Most matches one `$match`, `$replace` or `$split` may walk through: JSONata awaits once per match (~10-20 µs each),
 * all inside one builtin call the time budget cannot interrupt.
 */
export const MAX_REGEX_MATCHES = 5_000;

interface ExecResult extends Array<string | undefined> {
  index: number;
  input: string;
}

export class RegexEngine {
  lastIndex = 0;
  readonly #pattern: RE2JS;
  // JSONata calls exec once per match over the same input; a new Matcher per call costs more than the match.
  #matcher: Matcher | undefined;
  #input: string | undefined;
  #matches = 0;

  constructor(literal: RegExp) {
    // Regex literals were checked when the expression was compiled; a PatternError here would be a bug.
    this.#pattern = linearPattern(literal.source, literal.flags);
  }

  exec(input: string): ExecResult | null {
    const from = this.lastIndex;
    if (from > input.length) {
      this.lastIndex = 0;
      return null;
    }
    if ((input.length - from) * this.#pattern.programSize() > MAX_REGEX_WORK) {
      throw new ExpressionError(
        `regular expression over ${input.length - from} characters is too costly; shorten the text or the pattern`,
        'expression_too_large',
      );
    }
    if (this.#input !== input || !this.#matcher) {
      this.#matcher = this.#pattern.matcher(input);
      this.#input = input;
    }
    // JSONata starts every scan at 0 and continues it from the previous match's end.
    if (from === 0) this.#matches = 0;
    if (++this.#matches > MAX_REGEX_MATCHES) {
      throw new ExpressionError(
        `regular expression matched more than ${MAX_REGEX_MATCHES} times`,
        'expression_too_large',
      );
    }
    const matcher = this.#matcher;
    if (!matcher.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    // As a global RegExp does: the next search starts where this match ended (JSONata catches empty-match loops).
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start(), input });
  }
}
