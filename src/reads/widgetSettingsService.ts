import { createHash } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import type { JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { formSchemaOf } from '../forms/formSchemaOf.js';
import { publishedFormVersions } from '../forms/formStore.js';
import { canonicalJson } from '../http/idempotency.js';
import { CONFIG_SECTION_SCHEMAS } from '../wire/appearanceSchema.js';
import type { EdgeContent, EdgeDocument } from './edgeDocument.js';
import {
  configSectionRows,
  deleteQuickQuestion,
  insertEdgeDocument,
  insertQuickQuestion,
  latestEdgeDocument,
  quickQuestionRows,
  upsertConfigSection,
} from './readsStore.js';

const SNAKE = /^[a-z][a-z0-9_]{0,63}$/;
const PAGE_TYPE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_SECTION_BYTES = 16 * 1024;
const invalid = (path: string, rule: string, message: string) =>
  new AppError('invalid_request', message, { fields: [{ path, rule, message }] });

/** What the tenant's rows say now: quick questions, public config sections, published form schemas. */
export async function liveContent(ctx: AppContext, tenantId: string): Promise<EdgeContent> {
  const [quickQuestions, config, forms] = await Promise.all([
    liveQuickQuestions(ctx, tenantId),
    liveConfig(ctx, tenantId),
    liveForms(ctx, tenantId),
  ]);
  return { quickQuestions, config, forms };
}

export async function liveQuickQuestions(ctx: AppContext, tenantId: string): Promise<EdgeContent['quickQuestions']> {
  return (await quickQuestionRows(ctx.kysely, tenantId)).map((q) => ({
    id: q.id,
    text: q.text,
    ...(q.intent_name !== null ? { intentName: q.intent_name } : {}),
    pageTypes: q.page_types,
    position: q.position,
  }));
}

/** Public sections only (one when `section` is given). */
export async function liveConfig(ctx: AppContext, tenantId: string, section?: string): Promise<EdgeContent['config']> {
  const rows = await configSectionRows(ctx.kysely, tenantId, {
    publicOnly: true,
    ...(section !== undefined ? { section } : {}),
  });
  return Object.fromEntries(rows.map((s) => [s.section, s.values]));
}

/** Published form schemas by code (one when `codeOrId` is given). */
export async function liveForms(ctx: AppContext, tenantId: string, codeOrId?: string): Promise<EdgeContent['forms']> {
  const rows = await publishedFormVersions(ctx.kysely, tenantId, codeOrId);
  return Object.fromEntries(rows.map((f) => [f.code, formSchemaOf(f)]));
}

/**
 * Builds the tenant's immutable edge document from its rows and makes it the one reads serve, here and (through the
 * change bus) in every other process. Later edits show only after the next publish.
 */
/**
 * The parts of `content` that differ from the published document, compared as canonical JSON: a document read back
 * from the database (jsonb) has its keys in another order than the live rows give them.
 */
function changedParts(previous: EdgeContent | null | undefined, content: EdgeContent): (keyof EdgeContent)[] {
  return (Object.keys(content) as (keyof EdgeContent)[]).filter(
    (part) => !previous || canonicalJson(previous[part]) !== canonicalJson(content[part]),
  );
}

export async function publishWidgetSettings(
  ctx: AppContext,
  tenantId: string,
  actor?: string,
): Promise<EdgeDocument & { changed: (keyof EdgeContent)[] }> {
  const previous = await ctx.edge.get(ctx.kysely, tenantId);
  const content = await liveContent(ctx, tenantId);
  const document: EdgeDocument = {
    contentHash: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
    builtAt: new Date().toISOString(),
    ...content,
  };
  const changed = changedParts(previous, content);
  await ctx.kysely.transaction().execute(async (trx) => {
    await insertEdgeDocument(trx, { id: newId(), tenantId, document });
    // Publishing as a side effect of a form publish is audited as that change.
    if (actor) {
      await recordAudit(trx, {
        tenantId,
        actor,
        action: 'widget_settings.publish',
        target: document.contentHash,
        before: previous?.contentHash,
        after: document.contentHash,
      });
    }
  });
  await ctx.events.announce('settings');
  return { ...document, changed };
}

/**
 * What a publish would change now: the parts whose live content differs from the published document (every part
 * before the first publish), compared as the publish compares them. Reads only.
 */
export async function pendingWidgetSettings(
  ctx: AppContext,
  tenantId: string,
): Promise<{ published: { contentHash: string; builtAt: string } | null; changed: (keyof EdgeContent)[] }> {
  // From the database, not this process's cache, which learns of a publish elsewhere a moment later.
  const previous = await latestEdgeDocument(ctx.kysely, tenantId);
  const content = await liveContent(ctx, tenantId);
  const changed = changedParts(previous, content);
  return { published: previous ? { contentHash: previous.contentHash, builtAt: previous.builtAt } : null, changed };
}

/**
 * What a read answers from: the published edge document (from memory), else — nothing published yet — the live
 * rows, reading only the part the read needs (`live`).
 */
export async function readableContent<K extends keyof EdgeContent>(
  ctx: AppContext,
  tenantId: string,
  part: K,
  live: () => Promise<EdgeContent[K]>,
): Promise<{ value: EdgeContent[K]; source: 'published' | 'live' }> {
  const document = await ctx.edge.get(ctx.kysely, tenantId);
  if (document) return { value: document[part], source: 'published' };
  return { value: await live(), source: 'live' };
}

export interface AddQuickQuestionInput {
  text: string;
  intentName?: string;
  pageTypes?: string[];
  position?: number;
}

export async function addQuickQuestion(ctx: AppContext, tenantId: string, input: AddQuickQuestionInput, actor = 'cli') {
  const text = input.text.trim();
  if (!text || text.length > 500) throw invalid('text', 'length', 'the text must be 1–500 characters');
  if (input.intentName !== undefined && !SNAKE.test(input.intentName)) {
    throw invalid('intentName', 'format', 'the intent name must be snake_case');
  }
  const pageTypes = [...new Set(input.pageTypes ?? [])];
  const bad = pageTypes.find((p) => !PAGE_TYPE.test(p));
  if (bad !== undefined) throw invalid('pageTypes', 'format', `not a valid page type: "${bad}"`);
  const position = input.position ?? 0;
  if (!Number.isInteger(position) || Math.abs(position) > 1_000_000) {
    throw invalid('position', 'range', 'the position must be an integer within ±1,000,000');
  }
  return ctx.kysely.transaction().execute(async (trx) => {
    const added = await insertQuickQuestion(trx, {
      id: newId(),
      tenantId,
      text,
      intentName: input.intentName ?? null,
      pageTypes,
      position,
    });
    await recordAudit(trx, { tenantId, actor, action: 'quick_question.add', target: added.id, after: added });
    return added;
  });
}

export async function listQuickQuestions(ctx: AppContext, tenantId: string) {
  return quickQuestionRows(ctx.kysely, tenantId);
}

export async function removeQuickQuestion(ctx: AppContext, tenantId: string, id: string, actor = 'cli') {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('not_found', 'no such quick question');
  return ctx.kysely.transaction().execute(async (trx) => {
    const removed = await deleteQuickQuestion(trx, tenantId, id);
    if (!removed) throw new AppError('not_found', 'no such quick question');
    await recordAudit(trx, { tenantId, actor, action: 'quick_question.remove', target: id, before: removed });
    return removed;
  });
}

/** Sets a config section's values (checked against its schema when it has one) and whether widgets may read it. */
export async function setConfigSection(
  ctx: AppContext,
  tenantId: string,
  input: { section: string; values: unknown; isPublic: boolean },
  actor = 'cli',
) {
  if (!SNAKE.test(input.section)) throw invalid('section', 'format', 'the section name must be snake_case');
  if (typeof input.values !== 'object' || input.values === null || Array.isArray(input.values)) {
    throw invalid('values', 'type', 'the values must be a JSON object');
  }
  if (Buffer.byteLength(JSON.stringify(input.values)) > MAX_SECTION_BYTES) {
    throw invalid('values', 'size', 'the values must be at most 16 KB of JSON');
  }
  const schema = CONFIG_SECTION_SCHEMAS[input.section];
  let values = input.values as JsonObject;
  if (schema) {
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      throw AppError.validation(
        parsed.error.issues.map((i) => ({
          path: ['values', ...i.path.map(String)].join('.'),
          rule: 'schema',
          message: i.message,
        })),
        `The ${input.section} section does not match its schema.`,
      );
    }
    values = parsed.data as JsonObject;
  }
  return ctx.kysely.transaction().execute(async (trx) => {
    const saved = await upsertConfigSection(trx, {
      tenantId,
      section: input.section,
      values,
      isPublic: input.isPublic,
    });
    await recordAudit(trx, { tenantId, actor, action: 'config_section.set', target: input.section, after: saved });
    return saved;
  });
}

export async function listConfigSections(ctx: AppContext, tenantId: string) {
  return configSectionRows(ctx.kysely, tenantId);
}
