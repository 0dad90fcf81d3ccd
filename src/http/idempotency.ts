import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';

import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import type { Json } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { errorBody } from './errorHandler.js';

const TTL_MS = 24 * 60 * 60 * 1000;
/** An in-progress record older than this belongs to a request whose process died; a retry may take it over. */
const STALE_IN_PROGRESS_MS = 60_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyScope {
  tenantId: string;
  /** The session, public key or secret key: one caller can never replay another's response. */
  caller: string;
  route: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

/**
 * Runs `handler` at most once per (scope, Idempotency-Key): the same key and body within 24 h replays the stored
 * response; another body → 422; while the first is in flight → 409 (retryable). 5xx, 409 and 429 are not stored.
 */
export async function withIdempotency(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: IdempotencyScope,
  handler: () => Promise<RouteResult>,
): Promise<RouteResult> {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return handler();
  const key = Array.isArray(raw) ? raw[0]! : raw;
  if (!KEY_FORMAT.test(key))
    throw new AppError('invalid_request', 'Idempotency-Key must be 1–255 visible ASCII characters.');
  const bodyHash = createHash('sha256')
    .update(canonicalJson(request.body ?? null))

    .digest('hex');
  const where = { tenant_id: scope.tenantId, caller: scope.caller, route: scope.route, key };

  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const inserted = await ctx.kysely
      .insertInto('idempotency_keys')
      .values({
        ...where,
        body_hash: bodyHash,
        state: 'in_progress',
        created_at: now,
        expires_at: new Date(now.getTime() + TTL_MS),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'caller', 'route', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return runAndRecord(ctx, request, where, handler);

    const existing = await ctx.kysely
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', where.tenant_id)
      .where('caller', '=', where.caller)
      .where('route', '=', where.route)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!existing) continue;
    const stale =
      existing.state === 'in_progress' && now.getTime() - existing.created_at.getTime() > STALE_IN_PROGRESS_MS;
    if (existing.expires_at <= now || stale) {
      await deleteRecord(ctx, where, existing.created_at);
      continue;
    }
    if (existing.body_hash !== bodyHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different body. Use a new key.',
      );
    }
    if (existing.state === 'in_progress') {
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still in progress.',
        undefined,
        { 'Retry-After': '1' },
      );
    }
    reply.header('idempotency-replayed', 'true');
    return { status: existing.status_code ?? 200, body: existing.response };
  }
  throw new AppError(
    'idempotency_in_progress',
    'A request with this Idempotency-Key is still in progress.',
    undefined,
    { 'Retry-After': '1' },
  );
}

type RecordKey = { tenant_id: string; caller: string; route: string; key: string };

async function runAndRecord(
  ctx: AppContext,
  request: FastifyRequest,
  where: RecordKey,
  handler: () => Promise<RouteResult>,
): Promise<RouteResult> {
  let result: RouteResult;
  try {
    result = await handler();
  } catch (error) {
    if (error instanceof AppError && storable(error.status)) {
      await finish(ctx, where, error.status, errorBody(error, request.id));
    } else {
      await deleteRecord(ctx, where);
    }
    throw error;
  }
  if (storable(result.status)) await finish(ctx, where, result.status, result.body);
  else await deleteRecord(ctx, where);
  return result;
}

function storable(status: number): boolean {
  return status < 500 && status !== 409 && status !== 429;
}

async function finish(ctx: AppContext, where: RecordKey, status: number, body: unknown): Promise<void> {
  await ctx.kysely
    .updateTable('idempotency_keys')
    .set({ state: 'done', status_code: status, response: json(body as Json) })
    .where('tenant_id', '=', where.tenant_id)
    .where('caller', '=', where.caller)
    .where('route', '=', where.route)
    .where('key', '=', where.key)
    .execute();
}

async function deleteRecord(ctx: AppContext, where: RecordKey, createdAt?: Date): Promise<void> {
  let q = ctx.kysely
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', where.tenant_id)
    .where('caller', '=', where.caller)
    .where('route', '=', where.route)
    .where('key', '=', where.key);
  if (createdAt) q = q.where('created_at', '=', createdAt);
  await q.execute();
}

/** JSON with object keys sorted, so the same body sent with members in another order matches. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Drops idempotency records past their 24 h window (the worker's periodic sweep calls this). */
export async function purgeIdempotencyKeys(ctx: AppContext, now = new Date(), batch = 5000): Promise<number> {
  const result = await sql`
    delete from idempotency_keys where ctid in (
      select ctid from idempotency_keys where expires_at < ${now} limit ${batch}
    )`.execute(ctx.kysely);
  return Number(result.numAffectedRows ?? 0);
}
