import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import {
  claimRecord,
  finishStatement,
  purgeExpiredRecords,
  type RecordKey,
  readRecord,
  releaseRecord,
  takeOverRecord,
} from '../idempotency/idempotencyStore.js';
import type { Receipt } from '../idempotency/Receipt.js';
import type { RouteResult } from './defineRoute.js';
import { errorBody } from './errorHandler.js';

const TTL_MS = 24 * 60 * 60 * 1000;
/**
 * An in-progress record older than this belongs to a request that died (or is very slow); a retry may take it over.
 * Taking over is safe: the old request's change carries its receipt, which no longer applies, so it cannot commit.
 */
const STALE_IN_PROGRESS_MS = 60_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyScope {
  tenantId: string;
  /** The session, public key or secret key (and what narrows it): one caller can never replay another's response. */
  caller: string;
  route: string;
}

const inProgress = () =>
  new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still in progress.', undefined, {
    'Retry-After': '1',
  });

/**
 * Runs `handler` at most once per (scope, Idempotency-Key): the same key and body within 24 h replays the stored
 * answer; another body → 422; while the first is in flight → 409 (retryable). 5xx, 409 and 429 are not stored. The
 * handler gets a `Receipt` that its change writes in its own statement or transaction.
 */
export async function withIdempotency(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: IdempotencyScope,
  handler: (receipt: Receipt | undefined) => Promise<RouteResult | undefined>,
  replay: (stored: RouteResult) => Promise<RouteResult> | RouteResult = (stored) => stored,
): Promise<RouteResult | undefined> {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return handler(undefined);
  const key = Array.isArray(raw) ? raw[0]! : raw;
  if (!KEY_FORMAT.test(key))
    throw new AppError('invalid_request', 'Idempotency-Key must be 1–255 visible ASCII characters.');
  const bodyHash = createHash('sha256')
    .update(canonicalJson(request.body ?? null))
    .digest('hex');
  const where: RecordKey = { tenant_id: scope.tenantId, caller: scope.caller, route: scope.route, key };
  const owner = randomBytes(12).toString('base64url');

  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const values = { bodyHash, owner, now, expiresAt: new Date(now.getTime() + TTL_MS) };
    if (await claimRecord(ctx.kysely, where, values)) return runAndRecord(ctx, request, where, owner, handler);

    const existing = await readRecord(ctx.kysely, where);
    if (!existing) continue;
    const stale =
      existing.state === 'in_progress' && now.getTime() - existing.created_at.getTime() > STALE_IN_PROGRESS_MS;
    if (existing.expires_at <= now || stale) {
      const seen = { owner: existing.owner, createdAt: existing.created_at };
      if (await takeOverRecord(ctx.kysely, where, seen, values)) {
        return runAndRecord(ctx, request, where, owner, handler);
      }
      continue;
    }
    if (existing.body_hash !== bodyHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different body. Use a new key.',
      );
    }
    if (existing.state === 'in_progress') throw inProgress();
    reply.header('idempotency-replayed', 'true');
    return replay({ status: existing.status_code ?? 200, body: existing.response });
  }
  throw inProgress();
}

async function runAndRecord(
  ctx: AppContext,
  request: FastifyRequest,
  where: RecordKey,
  owner: string,
  handler: (receipt: Receipt) => Promise<RouteResult | undefined>,
): Promise<RouteResult | undefined> {
  const receipt = ownedReceipt(where, owner);
  let result: RouteResult | undefined;
  try {
    result = await handler(receipt);
  } catch (error) {
    // A change that carried the receipt and committed already finished the record; these only touch it in progress.
    if (error instanceof AppError && storable(error.status)) {
      await finishStatement(where, owner, error.status, errorBody(error, request.id) as unknown as Json).execute(
        ctx.kysely,
      );
    } else {
      await releaseRecord(ctx.kysely, where, owner);
    }
    throw error;
  }
  if (receipt.used) return result;
  if (result && storable(result.status)) {
    await finishStatement(where, owner, result.status, result.body as Json).execute(ctx.kysely);
  } else {
    await releaseRecord(ctx.kysely, where, owner);
  }
  return result;
}

/** The receipt of the request that owns the record `where` (exported for the tests that claim records by hand). */
export function ownedReceipt(where: RecordKey, owner: string): Receipt {
  let used = false;
  return {
    sql(status, stored) {
      used = true;
      return finishStatement(where, owner, status, stored);
    },
    async write(trx: Kysely<Database>, status, stored) {
      used = true;
      const result = await finishStatement(where, owner, status, stored).execute(trx);
      if (Number(result.numAffectedRows ?? 0) !== 1) throw inProgress();
    },
    get used() {
      return used;
    },
  };
}

function storable(status: number): boolean {
  return status < 500 && status !== 409 && status !== 429;
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
  return purgeExpiredRecords(ctx.kysely, now, batch);
}
