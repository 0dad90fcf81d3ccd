import { isDeepStrictEqual } from 'node:util';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { newId } from '../db/newId.js';
import type { Form, FormVersion, PublicKey } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { liveForms, publishWidgetSettings, readableContent } from '../reads/widgetSettingsService.js';
import type { FormSchemaBody } from '../wire/formSchemas.js';
import { parseFormDefinition } from './formDefinition.js';
import {
  findForm,
  findFormVersion,
  findFormVersionById,
  formCodes,
  insertForm,
  insertFormVersion,
  listFormRows,
  listSubmissionRows,
  lockFormByCode,
  setFormDraft,
  setFormPublished,
} from './formStore.js';

/** Saves a form file as the draft of its code's form (creating the form), optionally publishing it. */
export async function importForm(
  ctx: AppContext,
  tenantId: string,
  input: unknown,
  options: { publish?: boolean; actor?: string } = {},
): Promise<{ form: Form; version?: FormVersion }> {
  const definition = parseFormDefinition(input);
  const actor = options.actor ?? 'cli';
  const form = await ctx.kysely.transaction().execute(async (trx) => {
    const existing = await lockFormByCode(trx, tenantId, definition.code);
    const saved = existing
      ? await setFormDraft(trx, existing, definition)
      : await insertForm(trx, { id: newId(), tenantId, definition });
    await recordAudit(trx, {
      tenantId,
      actor,
      action: existing ? 'form.update_draft' : 'form.create',
      target: saved.id,
      before: existing?.draft,
      after: saved.draft,
    });
    return saved;
  });
  if (!options.publish) return { form };
  return publishForm(ctx, tenantId, definition.code, actor);
}

/**
 * Snapshots the draft into an immutable version (unchanged drafts reuse the latest one) and rebuilds the tenant's
 * edge document, so the schema reads serve the new version (and a new ETag) at once in every process.
 */
export async function publishForm(
  ctx: AppContext,
  tenantId: string,
  code: string,
  actor = 'cli',
): Promise<{ form: Form; version: FormVersion }> {
  const result = await ctx.kysely.transaction().execute(async (trx) => {
    const form = await lockFormByCode(trx, tenantId, code);
    if (!form) throw new AppError('not_found', `no form with code "${code}"`);
    const definition = parseFormDefinition(form.draft) as unknown as JsonObject;
    const latest = await findFormVersion(trx, form.id, form.latest_version);
    const version =
      latest && isDeepStrictEqual(latest.definition, definition)
        ? latest
        : await insertFormVersion(trx, form, definition, newId());
    const published = await setFormPublished(trx, form, version);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'form.publish',
      target: form.id,
      before: { publishedVersionId: form.published_version_id },
      after: { publishedVersionId: version.id },
    });
    return { form: published, version };
  });
  await publishWidgetSettings(ctx, tenantId);
  return result;
}

/** A form by id or code with its draft and its published definition (null until first published). */
export async function getForm(
  ctx: AppContext,
  tenantId: string,
  codeOrId: string,
): Promise<{ form: Form; published: FormVersion | null }> {
  const form = await findForm(ctx.kysely, tenantId, codeOrId);
  if (!form) throw new AppError('not_found', 'no such form');
  const published = form.published_version_id
    ? await findFormVersionById(ctx.kysely, tenantId, form.published_version_id)
    : undefined;
  return { form, published: published ?? null };
}

export async function listForms(ctx: AppContext, tenantId: string): Promise<Form[]> {
  return listFormRows(ctx.kysely, tenantId);
}

/** Form codes of the tenant, published or draft-only (what a widget key's form scope may name). */
export async function knownFormCodes(ctx: AppContext, tenantId: string): Promise<Set<string>> {
  return formCodes(ctx.kysely, tenantId);
}

export function keyAllowsForm(key: Pick<PublicKey, 'allows_all_forms' | 'allowed_forms'>, code: string): boolean {
  return key.allows_all_forms || key.allowed_forms.includes(code);
}

/**
 * The published schema a key may read (DESIGN §8). The scope is checked before existence: a key without the form in
 * scope gets 403 `form_not_allowed` whether or not it exists; only an in-scope (or all-forms) key learns 404.
 * An id is in scope when its form's code is.
 */
export async function publishedFormFor(
  ctx: AppContext,
  key: PublicKey,
  codeOrId: string,
): Promise<{ schema: FormSchemaBody; source: 'published' | 'live' }> {
  const { value: forms, source } = await readableContent(ctx, key.tenant_id, 'forms', () =>
    liveForms(ctx, key.tenant_id, codeOrId),
  );
  const schema = isUuid(codeOrId)
    ? Object.values(forms).find((f) => f.id === codeOrId.toLowerCase())
    : Object.hasOwn(forms, codeOrId)
      ? forms[codeOrId]
      : undefined;
  const code = schema?.code ?? (isUuid(codeOrId) ? undefined : codeOrId);
  if (!(key.allows_all_forms || (code !== undefined && key.allowed_forms.includes(code)))) {
    throw new AppError('form_not_allowed', 'This form is outside the key’s form scope.');
  }
  if (!schema) throw new AppError('form_not_found', 'No such published form.');
  return { schema, source };
}

/** A form's submissions, newest first; `cursor` is the previous page's `nextCursor`. */
export async function listFormSubmissions(
  ctx: AppContext,
  tenantId: string,
  codeOrId: string,
  page: { limit?: number; cursor?: string } = {},
) {
  const { form } = await getForm(ctx, tenantId, codeOrId);
  const limit = page.limit ?? 50;
  const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const rows = await listSubmissionRows(ctx.kysely, tenantId, form.id, { limit, ...(before ? { before } : {}) });
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  return {
    submissions: rows.map((r) => ({
      id: r.id,
      formVersionId: r.form_version_id,
      publicKeyId: r.public_key_id,
      origin: r.origin,
      values: r.values,
      metadata: r.metadata,
      createdAt: r.created_at.toISOString(),
    })),
    nextCursor: last ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url') : null,
  };
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError('invalid_request', 'cursor: not a cursor of this list', {
      fields: [{ path: 'cursor', rule: 'cursor', message: 'not a cursor of this list' }],
    });
  }
  return { createdAt, id };
}
