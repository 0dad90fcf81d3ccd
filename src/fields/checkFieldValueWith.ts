// Coerces and checks one submitted value against its field (§8), returning every rule the value breaks. The one copy
// of these rules: the server binds it to its linear-time pattern engine (checkFieldValue.ts), the reference widget to
// the browser's RegExp (web/widget/src/checkValues.ts), so a visitor hears about a mistake before a round trip and
// the two can never disagree on anything but a pattern the browser cannot compile. Imports types only, so the
// widget's bundle takes nothing else of the server.
import type { Field, FieldError, FieldRule } from './types.js';

/** A coerced value: what a field of any type is stored as. */
export type CheckedValue = string | number | boolean | string[];

export interface FieldCheck {
  /** The coerced value; `undefined` when an optional field was left empty. */
  value?: CheckedValue;
  errors: FieldError[];
}

/**
 * Whether `value` matches the author's `pattern`; `undefined` when this engine cannot run the pattern, which then
 * refuses nothing (the widget leaves it to the server, whose engine decides).
 */
export type PatternTest = (pattern: string, value: string) => boolean | undefined;

const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PHONE = /^\+?[0-9 ()\-.]{5,32}$/;
// Pragmatic address check: no spaces or specials in the local part, dotted domain ending in a 2+ letter TLD.
const EMAIL =
  /^(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\\\]]{1,64}(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}$/u;
const MAX_FILE_REF_LENGTH = 64;

export function checkFieldValueWith(field: Field, raw: unknown, path: string, matchesPattern: PatternTest): FieldCheck {
  const fail = (rule: FieldRule, message: string, at = path): FieldCheck => ({
    errors: [{ path: at, rule, message }],
  });
  let input = raw === undefined && field.type === 'hidden' ? field.default : raw;
  // Email and phone are the only types whose surrounding spaces are never meaningful.
  if ((field.type === 'email' || field.type === 'phone') && typeof input === 'string') input = input.trim();
  if (isEmpty(input)) {
    return field.required ? fail('required', `${field.label} is required`) : { errors: [] };
  }

  switch (field.type) {
    case 'text':
    case 'textarea':
      return typeof input === 'string'
        ? checkString(field, input, path, matchesPattern)
        : fail('type', 'must be a string');
    case 'email':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return EMAIL.test(input) && input.length <= 254
        ? checkString(field, input, path, matchesPattern)
        : fail('format', 'must be a valid email address');
    case 'phone':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return PHONE.test(input)
        ? checkString(field, input, path, matchesPattern)
        : fail('format', 'must be a valid phone number');
    case 'hidden':
      if (typeof input === 'string') return checkString(field, input, path, matchesPattern);
      if (typeof input === 'boolean' || (typeof input === 'number' && Number.isFinite(input))) return ok(input);
      return fail('type', 'must be a string, number or boolean');
    case 'number':
      return checkNumber(field, input, path);
    case 'checkbox':
      return checkCheckbox(field, input, path);
    case 'date':
      if (typeof input !== 'string') return fail('type', 'must be a date string (YYYY-MM-DD)');
      return isCalendarDate(input) ? ok(input) : fail('format', 'must be a valid date (YYYY-MM-DD)');
    case 'file':
      if (typeof input !== 'string') return fail('type', 'must be a file reference id');
      return input.length <= MAX_FILE_REF_LENGTH ? ok(input) : fail('format', 'is not a valid file reference id');
    case 'select':
      if (typeof input !== 'string') return fail('type', 'must be a string');
      return isOption(field, input) ? ok(input) : fail('option', 'is not one of the options');
    case 'multiselect':
      return checkMultiselect(field, input, path);
  }
}

function ok(value: CheckedValue): FieldCheck {
  return { value, errors: [] };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function checkString(field: Field, value: string, path: string, matchesPattern: PatternTest): FieldCheck {
  const errors: FieldError[] = [];
  // Lengths count code points, as a user would count characters.
  const length = [...value].length;
  if (field.required && value.trim() === '')
    errors.push({ path, rule: 'required', message: `${field.label} is required` });
  const tooShort = field.minLength !== undefined && length < field.minLength;
  const tooLong = field.maxLength !== undefined && length > field.maxLength;
  if (tooShort) errors.push({ path, rule: 'minLength', message: `must be at least ${field.minLength} characters` });
  if (tooLong) errors.push({ path, rule: 'maxLength', message: `must be at most ${field.maxLength} characters` });
  // A value of the wrong length is refused already: matching it too would add nothing but work an attacker chooses.
  if (field.pattern !== undefined && !tooShort && !tooLong && matchesPattern(field.pattern, value) === false) {
    errors.push({ path, rule: 'pattern', message: 'does not match the expected format' });
  }
  return errors.length ? { errors } : ok(value);
}

function checkNumber(field: Field, input: unknown, path: string): FieldCheck {
  const value = typeof input === 'string' && NUMERIC.test(input) ? Number(input) : input;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { errors: [{ path, rule: 'type', message: 'must be a number' }] };
  }
  const errors: FieldError[] = [];
  if (field.min !== undefined && value < field.min)
    errors.push({ path, rule: 'min', message: `must be ≥ ${field.min}` });
  if (field.max !== undefined && value > field.max)
    errors.push({ path, rule: 'max', message: `must be ≤ ${field.max}` });
  return errors.length ? { errors } : ok(value);
}

function checkCheckbox(field: Field, input: unknown, path: string): FieldCheck {
  const value =
    input === true || input === 'true' || input === 'on' ? true : input === false || input === 'false' ? false : null;
  if (value === null) return { errors: [{ path, rule: 'type', message: 'must be true or false' }] };
  // A required checkbox ("I accept the terms") must be ticked, as in HTML.
  if (field.required && !value)
    return { errors: [{ path, rule: 'required', message: `${field.label} must be checked` }] };
  return ok(value);
}

function checkMultiselect(field: Field, input: unknown, path: string): FieldCheck {
  const items = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(items)) return { errors: [{ path, rule: 'type', message: 'must be an array of option values' }] };
  const errors: FieldError[] = [];
  const chosen: string[] = [];
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'string') errors.push({ path: `${path}[${i}]`, rule: 'type', message: 'must be a string' });
    else if (!isOption(field, item))
      errors.push({ path: `${path}[${i}]`, rule: 'option', message: 'is not one of the options' });
    else if (!chosen.includes(item)) chosen.push(item);
  });
  return errors.length ? { errors } : ok(chosen);
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
