// Types for the §8 field schema, shared by standalone forms and `ask` nodes.
import type { z } from 'zod';
import type { fieldOptionSchema, fieldSchema, fieldTypes } from './fieldSchema.js';

export type Field = z.infer<typeof fieldSchema>;
export type FieldType = (typeof fieldTypes)[number];
export type FieldOption = z.infer<typeof fieldOptionSchema>;

/** Rules a value can break; they appear in 422 `details.fields[].rule`. */
export type FieldRule =
  | 'required'
  | 'type'
  | 'format'
  | 'pattern'
  | 'minLength'
  | 'maxLength'
  | 'min'
  | 'max'
  | 'option'
  | 'unknown_field';

export interface FieldError {
  /** Dotted path from the request body, e.g. `values.order_number` or `values.tags[1]`. */
  path: string;
  rule: FieldRule;
  message: string;
}
