// The browser's copy of the server's field checks (src/fields/checkFieldValue.ts, DESIGN §8), so a visitor learns
// about a mistake without a round trip. The server still decides: its 422 answer is shown the same way.
// test/widget/checkValues.test.ts runs both on one table of cases, so the two cannot drift apart unnoticed.
import type { Field } from './types.js';

export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PHONE = /^\+?[0-9 ()\-.]{5,32}$/;
const EMAIL =
  /^(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\\\]]{1,64}(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}$/u;

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
  const fail = (rule: string, message: string, at = path) => ({ issues: [{ path: at, rule, message }] });
  const ok = (value: unknown) => ({ value, issues: [] });
  let input = raw === undefined && field.type === 'hidden' ? field.default : raw;
  if ((field.type === 'email' || field.type === 'phone') && typeof input === 'string') input = input.trim();
  if (input === undefined || input === null || input === '' || (Array.isArray(input) && input.length === 0)) {
    return field.required ? fail('required', `${field.label} is required`) : { issues: [] };
  }
  switch (field.type) {
    case 'text':
    case 'textarea':
      return typeof input === 'string' ? checkString(field, input, path) : fail('type', 'must be a string');
    case 'email':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return EMAIL.test(input) && input.length <= 254
        ? checkString(field, input, path)
        : fail('format', 'must be a valid email address');
    case 'phone':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return PHONE.test(input) ? checkString(field, input, path) : fail('format', 'must be a valid phone number');
    case 'hidden':
      if (typeof input === 'string') return checkString(field, input, path);
      if (typeof input === 'boolean' || (typeof input === 'number' && Number.isFinite(input))) return ok(input);
      return fail('type', 'must be a string, number or boolean');
    case 'number': {
      const value = typeof input === 'string' && NUMERIC.test(input) ? Number(input) : input;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('type', 'must be a number');
      const issues: FieldIssue[] = [];
      if (field.min !== undefined && value < field.min)
        issues.push({ path, rule: 'min', message: `must be ≥ ${field.min}` });
      if (field.max !== undefined && value > field.max)
        issues.push({ path, rule: 'max', message: `must be ≤ ${field.max}` });
      return issues.length ? { issues } : ok(value);
    }
    case 'checkbox': {
      const value =
        input === true || input === 'true' || input === 'on'
          ? true
          : input === false || input === 'false'
            ? false
            : null;
      if (value === null) return fail('type', 'must be true or false');
      if (field.required && !value) return fail('required', `${field.label} must be checked`);
      return ok(value);
    }
    case 'date': {
      if (typeof input !== 'string') return fail('type', 'must be a date string (YYYY-MM-DD)');
      return isCalendarDate(input) ? ok(input) : fail('format', 'must be a valid date (YYYY-MM-DD)');
    }
    case 'file':
      if (typeof input !== 'string') return fail('type', 'must be a file reference id');
      return input.length <= 64 ? ok(input) : fail('format', 'is not a valid file reference id');
    case 'select':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return isOption(field, input) ? ok(input) : fail('option', 'is not one of the options');
    case 'multiselect': {
      const items = typeof input === 'string' ? [input] : input;
      if (!Array.isArray(items)) return fail('type', 'must be an array of option values');
      const issues: FieldIssue[] = [];
      const chosen: string[] = [];
      items.forEach((item: unknown, i) => {
        if (typeof item !== 'string') issues.push({ path: `${path}[${i}]`, rule: 'type', message: 'must be a string' });
        else if (!isOption(field, item))
          issues.push({ path: `${path}[${i}]`, rule: 'option', message: 'is not one of the options' });
        else if (!chosen.includes(item)) chosen.push(item);
      });
      return issues.length ? { issues } : ok(chosen);
    }
  }
}

function checkString(field: Field, value: string, path: string): { value?: unknown; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const length = [...value].length;
  if (field.required && value.trim() === '')
    issues.push({ path, rule: 'required', message: `${field.label} is required` });
  const tooShort = field.minLength !== undefined && length < field.minLength;
  const tooLong = field.maxLength !== undefined && length > field.maxLength;
  if (tooShort) issues.push({ path, rule: 'minLength', message: `must be at least ${field.minLength} characters` });
  if (tooLong) issues.push({ path, rule: 'maxLength', message: `must be at most ${field.maxLength} characters` });
  if (field.pattern !== undefined && !tooShort && !tooLong && matchesPattern(field.pattern, value) === false) {
    issues.push({ path, rule: 'pattern', message: 'does not match the expected format' });
  }
  return issues.length ? { issues } : { value, issues };
}

/**
 * The server runs author patterns on RE2; the browser has only its own engine. A pattern it cannot compile is left
 * to the server (undefined) rather than blocking the visitor. Patterns come from the flow's author, never the visitor.
 */
function matchesPattern(pattern: string, value: string): boolean | undefined {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return undefined;
  }
}

function isOption(field: Field, value: string): boolean {
  return field.options?.some((option) => option.value === value) ?? false;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
