import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { PublicKey } from '../db/types.js';
import type { Json, JsonObject } from '../engine/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import { validateValues } from '../fields/validateValues.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { claimFormUpload } from '../uploads/uploadStore.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import type { FormDefinition } from './formDefinition.js';
import { keyAllowsForm } from './formService.js';
import { publishedFormVersions } from './formStore.js';

const MAX_METADATA_BYTES = 4096;

export interface SubmitFormInput {
  values: Record<string, unknown>;
  metadata?: Record<string, unknown> | undefined;
}

export interface SubmitFormResult {
  submissionId: string;
  confirmation: { message?: string; redirectUrl?: string };
}

/** The published version a key may use (scope before existence, as the reads), read live inside the write. */
export async function liveFormFor(ctx: AppContext, key: PublicKey, codeOrId: string) {
  const [row] = await publishedFormVersions(ctx.kysely, key.tenant_id, codeOrId);
  const code = row?.code ?? (isUuid(codeOrId) ? undefined : codeOrId);
  if (!(key.allows_all_forms || (code !== undefined && keyAllowsForm(key, code)))) {
    throw new AppError('form_not_allowed', 'This form is outside the key’s form scope.');
  }
  if (!row) throw new AppError('form_not_found', 'No such published form.');
  return { ...row, definition: row.definition as unknown as FormDefinition };
}

/**
 * A standalone form submission (DESIGN §8): values validated server-side against the published version (422 naming
 * each field), file fields must name an unused upload of this form and key, and the submission, the uploads' claim
 * and the Idempotency-Key record commit together.
 */
export async function submitForm(
  ctx: AppContext,
  key: PublicKey,
  codeOrId: string,
  input: SubmitFormInput,
  origin: string | null,
  receipt: Receipt | undefined,
): Promise<SubmitFormResult> {
  const form = await liveFormFor(ctx, key, codeOrId);
  const fields = form.definition.fields;
  const checked = validateValues(fields, input.values);
  const issues: FieldIssue[] = checked.ok ? [] : [...checked.errors];
  const metadata = (input.metadata ?? {}) as JsonObject;
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    issues.push({
      path: 'metadata',
      rule: 'maxLength',
      message: `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
    });
  }
  if (!checked.ok || issues.length > 0) throw AppError.validation(issues);
  const values = checked.values;
  const fileFields = fields.filter((f) => f.type === 'file' && typeof values[f.name] === 'string');
  for (const field of fileFields) {
    if (!isUuid(values[field.name] as string)) {
      issues.push({ path: `values.${field.name}`, rule: 'file_ref', message: 'is not a file reference of this form' });
    }
  }
  if (issues.length > 0) throw AppError.validation(issues);

  const submissionId = newId();
  const confirmation = {
    ...(form.definition.confirmation?.message !== undefined ? { message: form.definition.confirmation.message } : {}),
    ...(form.definition.confirmation?.redirectUrl !== undefined
      ? { redirectUrl: form.definition.confirmation.redirectUrl }
      : {}),
  };
  const result: SubmitFormResult = { submissionId, confirmation };
  await ctx.kysely.transaction().execute(async (trx) => {
    const now = new Date();
    await trx
      .insertInto('form_submissions')
      .values({
        id: submissionId,
        tenant_id: key.tenant_id,
        form_id: form.id,
        form_version_id: form.version_id,
        public_key_id: key.id,
        origin,
        values: json(values),
        metadata: json(metadata),
        // Ties the submission to a customer for export and deletion (DESIGN §12): a form has no session to say whose.
        customer_id: customerIdOf(metadata),
      })
      .execute();
    const refused: FieldIssue[] = [];
    for (const field of fileFields) {
      const claimed = await claimFormUpload(
        trx,
        {
          tenantId: key.tenant_id,
          id: (values[field.name] as string).toLowerCase(),
          formId: form.id,
          publicKeyId: key.id,
          field: field.name,
          submissionId,
        },
        now,
      );
      if (!claimed) {
        refused.push({
          path: `values.${field.name}`,
          rule: 'file_ref',
          message: 'is not an unused, unexpired upload of this form and key',
        });
      }
    }
    // Throwing rolls the submission back: nothing half-written stays.
    if (refused.length > 0) throw AppError.validation(refused);
    // Written with the submission (DESIGN §11): nothing for a tenant without an endpoint for this type.
    await emitWebhookEvent(trx, ctx.webhooks, {
      tenantId: key.tenant_id,
      type: 'form.submission.created',
      data: {
        submissionId,
        formId: form.id,
        formCode: form.code,
        formVersion: form.version,
        values,
        metadata,
        publicKeyId: key.id,
        createdAt: now.toISOString(),
      },
      occurredAt: now,
    });
    await receipt?.write(trx, 201, result as unknown as Json);
  });
  ctx.meter.count(key.tenant_id, key.id, 'submission');
  return result;
}

/** `metadata.customerId` when it is a non-empty string of at most 128 characters (as the chat API's customerId). */
function customerIdOf(metadata: JsonObject): string | null {
  const id = metadata.customerId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}
