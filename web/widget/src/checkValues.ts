// The widget's field checks: the server's own rules (src/fields/checkFieldValueWith.ts, DESIGN §8), run in the
// browser so a visitor learns about a mistake without a round trip. The server still decides: its 422 answer is shown
// the same way. Only author patterns differ: the browser runs them on its own engine, and one it cannot compile
// (RE2-only syntax) is left to the server rather than blocking the visitor.
import { checkFieldValueWith } from '../../../src/fields/checkFieldValueWith.js';
import type { Field as ServerField } from '../../../src/fields/types.js';
import type { Field } from './types.js';

export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

/** Checks every field's value; answers the values to send (numbers and booleans coerced) and the problems. */
export function checkValues(
  fields: readonly Field[],
  raw: Record<string, unknown>,
): { values: Record<string, unknown>; issues: FieldIssue[] } {
  const values: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const field of fields) {
    const result = checkValue(field, raw[field.name], `values.${field.name}`);
    issues.push(...result.issues);
    if (result.value !== undefined) values[field.name] = result.value;
  }
  return { values, issues };
}

export function checkValue(field: Field, raw: unknown, path: string): { value?: unknown; issues: FieldIssue[] } {
  // The form block's field is the server's field as the wire carries it.
  const { value, errors } = checkFieldValueWith(field as ServerField, raw, path, matchesBrowserPattern);
  return { value, issues: errors };
}

/** Patterns come from the flow's author, never the visitor. */
function matchesBrowserPattern(pattern: string, value: string): boolean | undefined {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return undefined;
  }
}
