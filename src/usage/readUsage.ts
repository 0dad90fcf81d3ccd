import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { AppError } from '../errors/AppError.js';
import { PUBLIC_KEY_FORMAT } from '../keys/keyStore.js';
import type { UsageKind } from './usageKinds.js';

export const USAGE_GROUPS = ['day', 'key', 'kind'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
  tenantId: string;
  /** A public key's value (pk_live_…) or id; absent: every key of the tenant. */
  key?: string | undefined;
  kind?: UsageKind | undefined;
  /** UTC days, inclusive, YYYY-MM-DD. */
  from?: string | undefined;
  to?: string | undefined;
  /** Sum over the other dimensions (absent: one row per key × day × kind). */
  groupBy?: UsageGroup | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface UsageRow {
  day?: string;
  publicKeyId?: string;
  kind?: string;
  count: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const COLUMNS: Record<UsageGroup, 'day' | 'public_key_id' | 'kind'> = {
  day: 'day',
  key: 'public_key_id',
  kind: 'kind',
};
const DEFAULT_LIMIT = 50;

/**
 * Usage counters (DESIGN §9, §14) in (day, key, kind) order, one page at a time. What this process counted and not
 * flushed yet is written first, so the answer includes it.
 *
 * The one place a usage kind picks its source: `tokens` (token spend, from the LLM issue's
 * `readTokenSpend(db, {tenantId, from, to, groupBy})` in src/llm/readTokenSpend.ts) is added as a branch here, beside
 * the counters, when that module lands; until then `tokens` is not an accepted kind (usageQuerySchema).
 */
export async function readUsage(
  ctx: AppContext,
  query: UsageQuery,
): Promise<{ items: UsageRow[]; nextCursor: string | null }> {
  return readCounters(ctx, query);
}

async function readCounters(
  ctx: AppContext,
  query: UsageQuery,
): Promise<{ items: UsageRow[]; nextCursor: string | null }> {
  for (const [name, value] of [
    ['from', query.from],
    ['to', query.to],
  ] as const) {
    if (value !== undefined && (!DAY.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new AppError('invalid_request', `${name}: expected a UTC day, YYYY-MM-DD`, {
        fields: [{ path: name, rule: 'format', message: 'expected YYYY-MM-DD' }],
      });
    }
  }
  const publicKeyId = query.key === undefined ? undefined : await resolveKeyId(ctx, query.tenantId, query.key);
  await ctx.meter.flush();
  const groups = query.groupBy ? [COLUMNS[query.groupBy]] : (['day', 'public_key_id', 'kind'] as const);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, groups.length);
  const select = groups.map((c) => (c === 'day' ? sql`to_char(day, 'YYYY-MM-DD') as day` : sql.ref(c)));
  const groupKey = groups.map((c) => (c === 'day' ? sql`to_char(day, 'YYYY-MM-DD')` : sql.ref(c)));
  const filters = [sql`tenant_id = ${query.tenantId}`];
  if (publicKeyId) filters.push(sql`public_key_id = ${publicKeyId}`);
  if (query.kind) filters.push(sql`kind = ${query.kind}`);
  if (query.from) filters.push(sql`day >= ${query.from}::date`);
  if (query.to) filters.push(sql`day <= ${query.to}::date`);
  const having = after
    ? sql`having (${sql.join(groupKey.map((g) => sql`(${g})::text`))}) > (${sql.join(after)})`
    : sql``;
  const result = await sql<Record<string, string | number>>`
    select ${sql.join(select)}, sum(count)::int8 as count
    from usage_counters
    where ${sql.join(filters, sql` and `)}
    group by ${sql.join(groupKey)}
    ${having}
    order by ${sql.join(groupKey.map((g) => sql`(${g})::text`))}
    limit ${limit + 1}`.execute(ctx.kysely);
  const rows = result.rows.slice(0, limit).map((r) => ({
    ...(r.day !== undefined ? { day: String(r.day) } : {}),
    ...(r.public_key_id !== undefined ? { publicKeyId: String(r.public_key_id) } : {}),
    ...(r.kind !== undefined ? { kind: String(r.kind) } : {}),
    count: Number(r.count),
  }));
  const last = result.rows.length > limit ? result.rows[limit - 1] : undefined;
  const nextCursor = last
    ? Buffer.from(JSON.stringify(groups.map((c) => String(last[c])))).toString('base64url')
    : null;
  return { items: rows, nextCursor };
}

function decodeCursor(cursor: string | undefined, size: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === size &&
      values.every((v) => typeof v === 'string' && v.length <= 64)
    ) {
      return values as string[];
    }
  } catch {
    // falls through to the error below
  }
  throw new AppError('invalid_request', 'cursor: not a cursor returned by this API (for this groupBy)');
}

async function resolveKeyId(ctx: AppContext, tenantId: string, key: string): Promise<string> {
  const column = PUBLIC_KEY_FORMAT.test(key) ? 'key' : isUuid(key) ? 'id' : undefined;
  const row = column
    ? await ctx.kysely
        .selectFrom('public_keys')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(column, '=', key)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found', 'no such widget key in this tenant');
  return row.id;
}
