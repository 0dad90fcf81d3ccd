import { describe, expect, it } from 'vitest';
import { fieldSchema, fieldsSchema } from './fieldSchema.js';

const messages = (input: unknown) => {
  const result = fieldSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('fieldSchema', () => {
  it('accepts the §8 examples', () => {
    expect(messages({ name: 'email', type: 'email', label: 'Email', required: true })).toEqual([]);
    expect(
      messages({ name: 'cv', type: 'file', label: 'CV', accept: ['application/pdf'], maxSizeBytes: 1048576 }),
    ).toEqual([]);
    expect(
      messages({
        name: 'size',
        type: 'select',
        label: 'Size',
        options: [{ label: 'Small', value: 's' }],
        placeholder: '…',
      }),
    ).toEqual([]);
    expect(messages({ name: 'source', type: 'hidden', label: 'Source', default: 'widget' })).toEqual([]);
  });

  it('rejects unknown keys so typos surface', () => {
    expect(messages({ name: 'a', type: 'text', label: 'A', requird: true })).toEqual([': Unrecognized key: "requird"']);
  });

  it('checks name, type and label', () => {
    expect(messages({ name: 'Order-Number', type: 'text', label: 'A' })[0]).toMatch(/^name: must match/);
    expect(messages({ name: 'a', type: 'color', label: 'A' })[0]).toMatch(/^type: /);
    expect(messages({ name: 'a', type: 'text', label: '' })[0]).toMatch(/^label: /);
  });

  it('requires options for select and multiselect, with unique values', () => {
    expect(messages({ name: 'a', type: 'select', label: 'A' })).toEqual(['options: a select field needs options']);
    expect(messages({ name: 'a', type: 'multiselect', label: 'A' })).toEqual([
      'options: a multiselect field needs options',
    ]);
    expect(
      messages({
        name: 'a',
        type: 'select',
        label: 'A',
        options: [
          { label: 'X', value: 'x' },
          { label: 'Y', value: 'x' },
        ],
      }),
    ).toEqual(['options.1.value: duplicate option value "x"']);
  });

  it('rejects type-specific keys on types they mean nothing for', () => {
    expect(messages({ name: 'a', type: 'text', label: 'A', options: [{ label: 'X', value: 'x' }] })).toEqual([
      'options: "options" is not allowed on a text field',
    ]);
    expect(messages({ name: 'a', type: 'number', label: 'A', pattern: '^1$' })).toEqual([
      'pattern: "pattern" is not allowed on a number field',
    ]);
    expect(messages({ name: 'a', type: 'text', label: 'A', default: 'x' })).toEqual([
      'default: "default" is not allowed on a text field',
    ]);
  });

  it('refuses patterns the linear-time engine cannot run: backreferences, lookaround', () => {
    for (const pattern of ['^(a)\\1$', '^(?=a)a$', '^(?!b)a$', '(?<=a)b', '(?<!a)b']) {
      expect(messages({ name: 'a', type: 'text', label: 'A', pattern })).toEqual([
        expect.stringMatching(/^pattern: pattern cannot be used: .*RE2 syntax: no backreferences or lookaround/),
      ]);
    }
    expect(messages({ name: 'a', type: 'text', label: 'A', pattern: '^(a+)+$' })).toEqual([]);
  });

  it('rejects a pattern that does not compile, or is longer than 500 characters', () => {
    expect(messages({ name: 'a', type: 'text', label: 'A', pattern: '([a-z' })[0]).toMatch(
      /^pattern: pattern cannot be used: missing closing ]/,
    );
    expect(messages({ name: 'a', type: 'text', label: 'A', pattern: 'a'.repeat(501) })[0]).toMatch(/^pattern: /);
    expect(messages({ name: 'a', type: 'text', label: 'A', pattern: 'a'.repeat(500) })).toEqual([]);
  });

  it('rejects inverted bounds and bad MIME types', () => {
    expect(messages({ name: 'a', type: 'text', label: 'A', minLength: 5, maxLength: 2 })).toEqual([
      'minLength: minLength is greater than maxLength',
    ]);
    expect(messages({ name: 'a', type: 'number', label: 'A', min: 5, max: 2 })).toEqual([
      'min: min is greater than max',
    ]);
    expect(messages({ name: 'a', type: 'file', label: 'A', accept: ['pdf'] })[0]).toMatch(
      /^accept.0: must be a lower-case MIME/,
    );
  });

  it('converts to JSON schema for the OpenAPI document', async () => {
    const { z } = await import('zod');
    const schema = z.toJSONSchema(fieldSchema) as { additionalProperties?: boolean; required?: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'type', 'label']);
  });
});

describe('fieldsSchema', () => {
  it('needs unique names and at least one field', () => {
    const field = { name: 'a', type: 'text', label: 'A' };
    expect(fieldsSchema.safeParse([field, field]).error?.issues[0]?.message).toBe('duplicate field name "a"');
    expect(fieldsSchema.safeParse([]).success).toBe(false);
  });
});
