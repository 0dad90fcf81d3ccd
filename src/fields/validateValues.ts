// Validates submitted values against a field list (§8): coerces them, reports every failing field, rejects unknown keys.
import type { JsonObject } from '../engine/types.js';
import { checkFieldValue } from './checkFieldValue.js';
import type { Field, FieldError } from './types.js';

export type ValidateValuesResult = { ok: true; values: JsonObject } | { ok: false; errors: FieldError[] };

export function validateValues(fields: Field[], values: unknown, pathPrefix = 'values'): ValidateValuesResult {
  if (values === undefined || values === null) values = {};
  if (typeof values !== 'object' || Array.isArray(values)) {
    return { ok: false, errors: [{ path: pathPrefix, rule: 'type', message: 'must be an object' }] };
  }
  const submitted = values as Record<string, unknown>;
  const errors: FieldError[] = [];
  const names = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(submitted)) {
    if (!names.has(key)) {
      const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
      errors.push({ path: `${pathPrefix}.${shown}`, rule: 'unknown_field', message: 'is not a field of this form' });
    }
  }
  const out: JsonObject = {};
  for (const field of fields) {
    const raw = Object.hasOwn(submitted, field.name) ? submitted[field.name] : undefined;
    const check = checkFieldValue(field, raw, `${pathPrefix}.${field.name}`);
    errors.push(...check.errors);
    if (check.errors.length === 0 && check.value !== undefined) out[field.name] = check.value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, values: out };
}
