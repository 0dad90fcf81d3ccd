// A form file (DESIGN §8): what `form:import` and the admin take. Fields use the one §8 field schema (src/fields),
// the same that `ask` nodes use.
import { z } from 'zod';
import { safeUrl } from '../engine/safeUrl.js';
import { AppError } from '../errors/AppError.js';
import { fieldsSchema } from '../fields/fieldSchema.js';

export const FORM_CODE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const formConfirmationSchema = z
  .strictObject({
    message: z.string().min(1).max(2000).optional(),
    redirectUrl: z
      .string()
      .max(2048)
      .refine((url) => safeUrl(url, 'web') !== null, 'must be an http(s) URL')
      .optional(),
  })
  .refine((c) => c.message !== undefined || c.redirectUrl !== undefined, 'give a message or a redirectUrl');

export const formDefinitionSchema = z.strictObject({
  code: z.string().regex(FORM_CODE_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$'),
  title: z.string().min(1).max(200),
  submitLabel: z.string().min(1).max(100).optional(),
  fields: fieldsSchema,
  confirmation: formConfirmationSchema.optional(),
});

export type FormDefinition = z.infer<typeof formDefinitionSchema>;

/** Parses a form file; every problem is a 422 naming its path. */
export function parseFormDefinition(input: unknown): FormDefinition {
  const result = formDefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.map((issue) => ({
      path:
        issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '') || '(root)',
      rule: 'form',
      message: issue.message,
    })),
    `The form has ${result.error.issues.length} problem(s).`,
  );
}
