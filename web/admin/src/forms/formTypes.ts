// The form file of DESIGN §8 as the builder edits it; the server's schema (src/forms/formDefinition.ts,
// src/fields/fieldSchema.ts) stays the judge and names every problem by path.

export const FIELD_TYPES = [
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
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldOption {
  label: string;
  value: string;
}

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  required?: boolean;
  placeholder?: string;
  options?: FieldOption[];
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
  accept?: string[];
  maxSizeBytes?: number;
  default?: string;
}

export interface FormDef {
  code: string;
  title: string;
  submitLabel?: string;
  fields: FieldDef[];
  confirmation?: { message?: string; redirectUrl?: string };
}

export type RuleKey =
  | 'minLength'
  | 'maxLength'
  | 'min'
  | 'max'
  | 'pattern'
  | 'options'
  | 'accept'
  | 'maxSizeBytes'
  | 'default';

const STRING_RULES: RuleKey[] = ['minLength', 'maxLength', 'pattern'];

/** The type-specific keys each type accepts (as fieldKeysByType on the server: others are refused there). */
export const RULES_BY_TYPE: Record<FieldType, readonly RuleKey[]> = {
  text: STRING_RULES,
  textarea: STRING_RULES,
  email: STRING_RULES,
  phone: STRING_RULES,
  number: ['min', 'max'],
  select: ['options'],
  multiselect: ['options'],
  checkbox: [],
  date: [],
  file: ['accept', 'maxSizeBytes'],
  hidden: ['default', ...STRING_RULES],
};

const ALL_RULES: RuleKey[] = [
  'minLength',
  'maxLength',
  'min',
  'max',
  'pattern',
  'options',
  'accept',
  'maxSizeBytes',
  'default',
];

/** A field changed to another type keeps what both types mean and drops the rest, so nothing misplaced is sent. */
export function withType(field: FieldDef, type: FieldType): FieldDef {
  const next: FieldDef = { ...field, type };
  for (const key of ALL_RULES) if (!RULES_BY_TYPE[type].includes(key)) delete next[key];
  if ((type === 'select' || type === 'multiselect') && !next.options)
    next.options = [{ label: 'Option 1', value: 'option_1' }];
  return next;
}

/** The form file to send: empty texts and lists left out (as a hand-written file would leave them out). */
export function formFileOf(form: FormDef): FormDef {
  const text = (v: string | undefined) => (v?.trim() ? v : undefined);
  const confirmation = {
    ...(text(form.confirmation?.message) ? { message: form.confirmation!.message } : {}),
    ...(text(form.confirmation?.redirectUrl) ? { redirectUrl: form.confirmation!.redirectUrl } : {}),
  };
  return {
    code: form.code,
    title: form.title,
    ...(text(form.submitLabel) ? { submitLabel: form.submitLabel } : {}),
    fields: form.fields.map((f) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(f)) {
        if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
        if (key === 'required' && value === false) continue;
        out[key] = value;
      }
      return out as unknown as FieldDef;
    }),
    ...(Object.keys(confirmation).length > 0 ? { confirmation } : {}),
  };
}

export function newField(fields: FieldDef[], type: FieldType): FieldDef {
  let n = fields.length + 1;
  while (fields.some((f) => f.name === `field_${n}`)) n += 1;
  return withType({ name: `field_${n}`, type, label: `Field ${n}` }, type);
}
