// The §8 field schema: one strict object per field; type-specific keys are only accepted on the types they mean
// something for, so a misplaced `options` or `accept` surfaces instead of being silently ignored.
import { z } from 'zod';
import { patternProblem } from '../security/linearPattern.js';

export const FIELD_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_PATTERN_LENGTH = 500;

export const fieldTypes = [
  'text',
  'textarea',
  'email',
  'phone',
  'number',
  'select',
  'multiselect',
  'checkbox',
  'date',
  'file',
  'hidden',
] as const;

type FieldTypeName = (typeof fieldTypes)[number];
const typeSpecificKeys = [
  'minLength',
  'maxLength',
  'min',
  'max',
  'pattern',
  'options',
  'accept',
  'maxSizeBytes',
  'default',
] as const;
type OptionalKey = (typeof typeSpecificKeys)[number];

const stringRules: OptionalKey[] = ['minLength', 'maxLength', 'pattern'];

/** Which type-specific keys each field type accepts (name, type, label, required, placeholder go everywhere). */
export const fieldKeysByType: Record<FieldTypeName, readonly OptionalKey[]> = {
  text: stringRules,
  textarea: stringRules,
  email: stringRules,
  phone: stringRules,
  number: ['min', 'max'],
  select: ['options'],
  multiselect: ['options'],
  checkbox: [],
  date: [],
  file: ['accept', 'maxSizeBytes'],
  hidden: ['default', ...stringRules],
};

export const fieldOptionSchema = z.strictObject({
  label: z.string().min(1).max(200),
  value: z.string().min(1).max(200),
});

const length = z.number().int().min(0).max(100_000);
const mimeType = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/,
    'must be a lower-case MIME type like image/png',
  );

export const fieldSchema = z
  .strictObject({
    name: z.string().regex(FIELD_NAME_PATTERN, 'must match ^[a-z][a-z0-9_]{0,63}$'),
    type: z.enum(fieldTypes),
    label: z.string().min(1).max(200),
    required: z.boolean().optional(),
    placeholder: z.string().max(200).optional(),
    options: z.array(fieldOptionSchema).min(1).max(100).optional(),
    minLength: length.optional(),
    maxLength: length.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).optional(),
    accept: z.array(mimeType).min(1).max(20).optional(),
    maxSizeBytes: z
      .number()
      .int()
      .min(1)
      .max(100 * 1024 * 1024)
      .optional(),
    default: z.union([z.string().max(1000), z.number(), z.boolean()]).optional(),
  })
  .superRefine((field, ctx) => {
    const allowed = fieldKeysByType[field.type];
    for (const key of typeSpecificKeys) {
      if (field[key] !== undefined && !allowed.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not allowed on a ${field.type} field` });
      }
    }
    if ((field.type === 'select' || field.type === 'multiselect') && !field.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${field.type} field needs options` });
    }
    const values = new Set<string>();
    field.options?.forEach((option, i) => {
      if (values.has(option.value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'value'],
          message: `duplicate option value "${option.value}"`,
        });
      }
      values.add(option.value);
    });
    if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
      ctx.addIssue({ code: 'custom', path: ['minLength'], message: 'minLength is greater than maxLength' });
    }
    if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'min is greater than max' });
    }
    if (field.pattern !== undefined) {
      // Checked on the linear-time engine that will run it, so a backreference or lookaround is refused here.
      const problem = patternProblem(field.pattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `pattern cannot be used: ${problem}` });
    }
  });

/** An ask step or form has at least one field, at most 50, with unique names. */
export const fieldsSchema = z
  .array(fieldSchema)
  .min(1)
  .max(50)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((field, i) => {
      if (seen.has(field.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate field name "${field.name}"` });
      }
      seen.add(field.name);
    });
  });
