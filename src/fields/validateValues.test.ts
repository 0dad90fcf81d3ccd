import { describe, expect, it } from 'vitest';
import type { Field } from './types.js';
import { validateValues } from './validateValues.js';

const errorsOf = (fields: Field[], values: unknown) => {
  const result = validateValues(fields, values);
  return result.ok ? [] : result.errors.map((e) => `${e.path} ${e.rule}`);
};
const valuesOf = (fields: Field[], values: unknown) => {
  const result = validateValues(fields, values);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.values;
};

const text: Field = { name: 'name', type: 'text', label: 'Name', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' };
const options = [
  { label: 'Red', value: 'red' },
  { label: 'Blue', value: 'blue' },
];

describe('validateValues', () => {
  it('requires an object', () => {
    expect(validateValues([text], 'x')).toEqual({
      ok: false,
      errors: [{ path: 'values', rule: 'type', message: 'must be an object' }],
    });
    expect(errorsOf([text], [])).toEqual(['values type']);
  });

  it('reports every failing field, unknown keys included, under the given prefix', () => {
    const fields: Field[] = [
      { name: 'email', type: 'email', label: 'Email', required: true },
      { name: 'age', type: 'number', label: 'Age', min: 18 },
    ];
    const result = validateValues(fields, { age: 3, extra: 1 }, 'body.values');
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: 'body.values.extra', rule: 'unknown_field', message: 'is not a field of this form' },
        { path: 'body.values.email', rule: 'required', message: 'Email is required' },
        { path: 'body.values.age', rule: 'min', message: 'must be ≥ 18' },
      ],
    });
  });

  it('leaves missing optional fields out of the output', () => {
    expect(valuesOf([text, { name: 'n', type: 'number', label: 'N' }], { n: '' })).toEqual({});
  });

  describe('text and textarea', () => {
    it('does not run the pattern over a value that already broke a length rule', () => {
      // On a backtracking engine this value held the process for 48 s; here only its length is reported.
      const code: Field = { name: 'code', type: 'text', label: 'Code', maxLength: 10, pattern: '^(a+)+$' };
      const result = validateValues([code], { code: `${'a'.repeat(30)}!` });
      expect(result).toEqual({
        ok: false,
        errors: [{ path: 'values.code', rule: 'maxLength', message: 'must be at most 10 characters' }],
      });
      const short: Field = { name: 'pin', type: 'text', label: 'PIN', minLength: 4, pattern: '^[0-9]+$' };
      expect(errorsOf([short], { pin: 'x' })).toEqual(['values.pin minLength']);
    });

    it('runs patterns on the linear-time engine and fails closed on one it cannot run', () => {
      const code: Field = { name: 'code', type: 'text', label: 'Code', pattern: '^(a+)+$' };
      expect(errorsOf([code], { code: `${'a'.repeat(5_000)}!` })).toEqual(['values.code pattern']);
      expect(errorsOf([code], { code: 'a'.repeat(5_000) })).toEqual([]);
      // Saved before backreferences were refused: no value can be proven to match it.
      const legacy: Field = { name: 'pair', type: 'text', label: 'Pair', pattern: '^(a)\\1$' };
      expect(errorsOf([legacy], { pair: 'aa' })).toEqual(['values.pair pattern']);
    });

    it('checks type, minLength, maxLength and pattern, without trimming', () => {
      expect(valuesOf([text], { name: 'abc' })).toEqual({ name: 'abc' });
      expect(errorsOf([text], { name: 12 })).toEqual(['values.name type']);
      expect(errorsOf([text], { name: 'a' })).toEqual(['values.name minLength']);
      expect(errorsOf([text], { name: 'abcdef' })).toEqual(['values.name maxLength']);
      expect(errorsOf([text], { name: 'ab1' })).toEqual(['values.name pattern']);
      // Not trimmed: the spaces count and break the pattern.
      expect(errorsOf([text], { name: ' abc ' })).toEqual(['values.name pattern']);
      const area: Field = { name: 'c', type: 'textarea', label: 'C', maxLength: 3 };
      expect(valuesOf([area], { c: ' x\n' })).toEqual({ c: ' x\n' });
      expect(errorsOf([area], { c: 'abcd' })).toEqual(['values.c maxLength']);
    });

    it('counts characters, not UTF-16 units', () => {
      expect(valuesOf([{ name: 'e', type: 'text', label: 'E', maxLength: 2 }], { e: '😀😀' })).toEqual({ e: '😀😀' });
    });

    it('treats a blank required value as missing', () => {
      const required: Field = { name: 'r', type: 'text', label: 'R', required: true };
      expect(errorsOf([required], {})).toEqual(['values.r required']);
      expect(errorsOf([required], { r: null })).toEqual(['values.r required']);
      expect(errorsOf([required], { r: '   ' })).toEqual(['values.r required']);
    });
  });

  it('email: trimmed, then format-checked', () => {
    const email: Field = { name: 'email', type: 'email', label: 'Email' };
    expect(valuesOf([email], { email: '  ann@example.com ' })).toEqual({ email: 'ann@example.com' });
    expect(valuesOf([email], { email: 'a.b+c@mail.example.co.uk' })).toEqual({ email: 'a.b+c@mail.example.co.uk' });
    for (const bad of [
      'ann',
      'ann@',
      '@example.com',
      'ann@example',
      'an n@example.com',
      'a..b@example.com',
      'a@b@c.com',
    ]) {
      expect(errorsOf([email], { email: bad })).toEqual(['values.email format']);
    }
    expect(errorsOf([email], { email: 5 })).toEqual(['values.email type']);
  });

  it('phone: trimmed, then format-checked', () => {
    const phone: Field = { name: 'phone', type: 'phone', label: 'Phone' };
    expect(valuesOf([phone], { phone: ' +1 (555) 010-0199 ' })).toEqual({ phone: '+1 (555) 010-0199' });
    expect(errorsOf([phone], { phone: '12' })).toEqual(['values.phone format']);
    expect(errorsOf([phone], { phone: 'call me' })).toEqual(['values.phone format']);
    expect(errorsOf([phone], { phone: 5551234 })).toEqual(['values.phone type']);
  });

  it('number: numeric strings become JSON numbers; min and max apply', () => {
    const n: Field = { name: 'qty', type: 'number', label: 'Qty', min: 1, max: 10 };
    expect(valuesOf([n], { qty: '3' })).toEqual({ qty: 3 });
    expect(valuesOf([n], { qty: '2.5' })).toEqual({ qty: 2.5 });
    expect(valuesOf([n], { qty: 7 })).toEqual({ qty: 7 });
    expect(errorsOf([n], { qty: 'three' })).toEqual(['values.qty type']);
    expect(errorsOf([n], { qty: ' 3' })).toEqual(['values.qty type']);
    expect(errorsOf([n], { qty: true })).toEqual(['values.qty type']);
    expect(errorsOf([n], { qty: '0' })).toEqual(['values.qty min']);
    expect(errorsOf([n], { qty: 11 })).toEqual(['values.qty max']);
  });

  it('checkbox: booleans and "true"/"false"/"on"; a required box must be ticked', () => {
    const box: Field = { name: 'ok', type: 'checkbox', label: 'OK' };
    expect(valuesOf([box], { ok: 'on' })).toEqual({ ok: true });
    expect(valuesOf([box], { ok: 'true' })).toEqual({ ok: true });
    expect(valuesOf([box], { ok: 'false' })).toEqual({ ok: false });
    expect(valuesOf([box], { ok: false })).toEqual({ ok: false });
    expect(errorsOf([box], { ok: 'yes' })).toEqual(['values.ok type']);
    expect(errorsOf([{ ...box, required: true }], { ok: false })).toEqual(['values.ok required']);
  });

  it('select: the value must be an option', () => {
    const select: Field = { name: 'color', type: 'select', label: 'Color', options };
    expect(valuesOf([select], { color: 'red' })).toEqual({ color: 'red' });
    expect(errorsOf([select], { color: 'green' })).toEqual(['values.color option']);
    expect(errorsOf([select], { color: ['red'] })).toEqual(['values.color type']);
  });

  it('multiselect: an array of options (a single string is one choice), deduplicated', () => {
    const multi: Field = { name: 'colors', type: 'multiselect', label: 'Colors', options, required: true };
    expect(valuesOf([multi], { colors: ['red', 'blue', 'red'] })).toEqual({ colors: ['red', 'blue'] });
    expect(valuesOf([multi], { colors: 'blue' })).toEqual({ colors: ['blue'] });
    expect(errorsOf([multi], { colors: ['red', 'green', 3] })).toEqual([
      'values.colors[1] option',
      'values.colors[2] type',
    ]);
    expect(errorsOf([multi], { colors: [] })).toEqual(['values.colors required']);
    expect(errorsOf([multi], { colors: 5 })).toEqual(['values.colors type']);
  });

  it('date: YYYY-MM-DD and a real calendar date', () => {
    const date: Field = { name: 'when', type: 'date', label: 'When' };
    expect(valuesOf([date], { when: '2024-02-29' })).toEqual({ when: '2024-02-29' });
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-1', '01/02/2024', '2024-04-31']) {
      expect(errorsOf([date], { when: bad })).toEqual(['values.when format']);
    }
    expect(errorsOf([date], { when: 20240101 })).toEqual(['values.when type']);
  });

  it('file: a file-ref id of at most 64 characters', () => {
    const file: Field = { name: 'cv', type: 'file', label: 'CV' };
    expect(valuesOf([file], { cv: 'file_0123' })).toEqual({ cv: 'file_0123' });
    expect(errorsOf([file], { cv: 'x'.repeat(65) })).toEqual(['values.cv format']);
    expect(errorsOf([file], { cv: { id: 'x' } })).toEqual(['values.cv type']);
  });

  it('hidden: takes its default when missing; string rules apply', () => {
    const hidden: Field = { name: 'src', type: 'hidden', label: 'Source', default: 'widget', maxLength: 10 };
    expect(valuesOf([hidden], {})).toEqual({ src: 'widget' });
    expect(valuesOf([hidden], { src: 'email' })).toEqual({ src: 'email' });
    expect(valuesOf([{ name: 'n', type: 'hidden', label: 'N' }], { n: 4 })).toEqual({ n: 4 });
    expect(errorsOf([hidden], { src: 'x'.repeat(11) })).toEqual(['values.src maxLength']);
    expect(errorsOf([hidden], { src: { a: 1 } })).toEqual(['values.src type']);
  });
});
