// JSONata builtins that can build a huge value in one uninterruptible call get a check of their arguments first;
// the check refuses what would exceed expressionLimits, then JSONata's own implementation runs unchanged.
import jsonata from 'jsonata';
import { ExpressionError } from './expressionError.js';
import { expressionLimits, tooLarge, valueSize } from './expressionLimits.js';

interface Builtin {
  implementation: (...args: unknown[]) => unknown;
  signature: { definition: string };
}

/** What JSONata's regex closure returns for one match. */
interface RegexMatch {
  match: string;
  start: number;
  end: number;
  groups: string[];
  next: Matcher;
}
/** JSONata may hand the closure over wrapped in an async function, so results may be promises. */
type Matcher = (str?: string) => RegexMatch | undefined | Promise<RegexMatch | undefined>;

interface Guard {
  /** JSONata's own signature for the builtin (a test checks they agree). */
  signature: string;
  /** Throws when the call would build too much; returns the arguments to pass on. */
  check: (args: unknown[]) => unknown[];
}

const { string: maxString, value: maxValue, distinctWork } = expressionLimits;

export const guards: Record<string, Guard> = {
  pad: {
    signature: '<s-ns?:s>',
    check: (args) => {
      const [, width, char] = args as [string | undefined, number, string | undefined];
      // JSONata repeats `char` |width| times before trimming, so that product is what gets built.
      if (Math.abs(Math.trunc(width)) * Math.max(1, char?.length ?? 1) > maxString) throw tooLarge('$pad width');
      return args;
    },
  },
  join: {
    signature: '<a<s>s?:s>',
    check: (args) => {
      const [strs, separator] = args as [string[] | undefined, string | undefined];
      let length = 0;
      for (const str of strs ?? []) {
        length += str.length + (separator?.length ?? 0);
        if (length > maxString) throw tooLarge('$join result');
      }
      return args;
    },
  },
  string: {
    signature: '<x-b?:s>',
    check: (args) => {
      if (valueSize(args[0], maxValue, args[1] === true ? 2 : 0) > maxValue) throw tooLarge('$string value');
      return args;
    },
  },
  distinct: {
    signature: '<x:x>',
    check: (args) => {
      const [arr] = args;
      // Each item is compared with every kept one: quadratic, with deep comparisons.
      if (Array.isArray(arr) && arr.length * valueSize(arr, distinctWork) > distinctWork) {
        throw tooLarge('$distinct input');
      }
      return args;
    },
  },
  replace: {
    signature: '<s-(sf)(sf)n?:s>',
    check: (args) => {
      const [str, pattern, replacement, limit] = args as [string | undefined, unknown, unknown, number | undefined];
      // A function replacement runs as an expression, under the time budget; a string one is copied per match.
      if (str === undefined || typeof replacement !== 'string') return args;
      if (typeof pattern === 'string') {
        if (pattern !== '' && str.length + countOf(str, pattern, limit) * replacement.length > maxString) {
          throw tooLarge('$replace result');
        }
        return args;
      }
      if (typeof pattern !== 'function') return args;
      return [str, boundedMatcher(pattern as Matcher, str.length, replacement), replacement, limit];
    },
  },
};

let originals: Record<string, Builtin> | undefined;
let loading: Promise<void> | undefined;

/** Fetches JSONata's own implementations once; evaluateExpression awaits this before any evaluation. */
export function loadBuiltins(): Promise<void> {
  loading ??= (async () => {
    const source = `{${Object.keys(guards)
      .map((name) => `"${name}": $${name}`)
      .join(', ')}}`;
    originals = (await jsonata(source).evaluate({})) as Record<string, Builtin>;
  })();
  return loading;
}

/** Replaces the guarded builtins in one compiled expression. */
export function guardBuiltins(expr: jsonata.Expression): void {
  for (const [name, guard] of Object.entries(guards)) {
    expr.registerFunction(
      name,
      function (this: unknown, ...args: unknown[]) {
        const original = originals?.[name];
        if (!original) throw new ExpressionError(`$${name} is not ready`, 'expression_error');
        return original.implementation.apply(this, guard.check(args));
      },
      guard.signature,
    );
  }
}

/** JSONata's original of a guarded builtin, for tests. */
export function originalBuiltin(name: string): Builtin | undefined {
  return originals?.[name];
}

function countOf(str: string, pattern: string, limit: number | undefined): number {
  let count = 0;
  for (let at = str.indexOf(pattern); at !== -1 && (limit === undefined || count < limit); count++) {
    at = str.indexOf(pattern, at + pattern.length);
  }
  return count;
}

/**
 * Wraps a regex matcher so that the replacement text it will lead to is counted match by match: each match adds the
 * replacement, with every `$n` at most the match's length. Stops before the result can pass the string limit.
 */
function boundedMatcher(matcher: Matcher, length: number, replacement: string): Matcher {
  const references = replacement.split('$').length - 1;
  let total = length;
  const count = async (pending: ReturnType<Matcher>): Promise<RegexMatch | undefined> => {
    const found = await pending;
    if (found === undefined) return undefined;
    total += replacement.length + references * (found.end - found.start);
    if (total > maxString) throw tooLarge('$replace result');
    return { ...found, next: () => count(found.next()) };
  };
  return (str) => count(matcher(str));
}
