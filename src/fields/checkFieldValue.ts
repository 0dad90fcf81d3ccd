// The server's field checks (§8): the shared rules of checkFieldValueWith, with author patterns on the linear-time
// engine. A pattern saved before that engine was enforced, which it cannot run, fails closed.
import { linearPattern } from '../security/linearPattern.js';
import { checkFieldValueWith, type FieldCheck } from './checkFieldValueWith.js';
import type { Field } from './types.js';

export type { FieldCheck } from './checkFieldValueWith.js';

export function checkFieldValue(field: Field, raw: unknown, path: string): FieldCheck {
  return checkFieldValueWith(field, raw, path, matchesLinearPattern);
}

function matchesLinearPattern(pattern: string, value: string): boolean {
  try {
    return linearPattern(pattern).test(value);
  } catch {
    return false;
  }
}
