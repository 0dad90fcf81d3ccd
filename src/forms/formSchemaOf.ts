import type { JsonObject } from '../engine/types.js';
import type { FormSchemaBody } from '../wire/formSchemas.js';
import type { FormDefinition } from './formDefinition.js';

export const DEFAULT_SUBMIT_LABEL = 'Submit';

/** The render-safe schema of a published version: what both form reads answer (never the confirmation). */
export function formSchemaOf(row: {
  id: string;
  code: string;
  version: number;
  definition: JsonObject;
}): FormSchemaBody {
  const d = row.definition as unknown as FormDefinition;
  return {
    id: row.id,
    code: row.code,
    version: row.version,
    title: d.title,
    fields: d.fields,
    submitLabel: d.submitLabel ?? DEFAULT_SUBMIT_LABEL,
  };
}
