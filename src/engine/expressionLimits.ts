// What one expression may build (DESIGN §2): a single JSONata builtin runs to completion between two budget checks,
// so its inputs are bounded before it starts. 1 M matches the largest HTTP response a flow can store (1 MB).
import { ExpressionError } from './expressionError.js';

export const expressionLimits = {
  /** Characters in any string an expression builds or reads. */
  string: 1_000_000,
  /** Items in any array (JSONata's `sequence` option also caps ranges and `$append`). */
  sequence: 1_000_000,
  /** Size of a value walked as a whole (serialised, compared, copied): about its length as JSON. */
  value: 1_000_000,
  /** Items × size for `$distinct`, which compares every item with every kept one. */
  distinctWork: 20_000_000,
} as const;

export function tooLarge(what: string): ExpressionError {
  return new ExpressionError(`${what} is too large for an expression`, 'expression_too_large');
}

/**
 * The serialised size of `value`, counted up to `limit + 1` and no further: a value that shares one sub-value
 * many times (`{"a": $x, "b": $x}` nested n deep) is exponentially large, and walking it must stop early.
 * `indent` counts pretty-printing's indentation per nesting level.
 */
export function valueSize(value: unknown, limit: number = expressionLimits.value, indent = 0): number {
  // Every value counts when it is pushed, so an array's items are paid for before anything walks into them.
  let size = 1;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0 && size <= limit) {
    const [item, depth] = stack.pop() as [unknown, number];
    size += indent * depth;
    if (typeof item === 'string') size += item.length + 1;
    else if (typeof item === 'number' || typeof item === 'boolean') size += String(item).length;
    else if (Array.isArray(item)) {
      size += item.length;
      if (size <= limit) for (const child of item) stack.push([child, depth + 1]);
    } else if (isPlainData(item)) {
      const keys = Object.keys(item);
      size += keys.length;
      for (const key of keys) {
        if (size > limit) break;
        size += key.length;
        stack.push([item[key], depth + 1]);
      }
    }
  }
  return Math.min(size, limit + 1);
}

/** Objects JSON would walk into; JSONata's functions and lambdas carry environments that are not data. */
function isPlainData(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !('_jsonata_lambda' in value) && !('_jsonata_function' in value)
  );
}
