import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { AppError } from '../errors/AppError.js';
import { PUBLIC_KEY_FORMAT } from '../keys/keyStore.js';
import { readTokenSpend } from '../llm/readTokenSpend.js';
import type { UsageKind } from './usageKinds.js';

/** Counters group by day, key or kind; token spend (`kind=tokens`) by day, flow or model. */
export const USAGE_GROUPS = ['day', 'key', 'kind', 'flow', 'model'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];
const COUNTER_GROUPS: readonly UsageGroup[] = ['day', 'key', 'kind'];
const TOKEN_GROUPS = ['day', 'flow', 'model'] as const;

export interface UsageQuery {
  tenantId: string;
  /** A public key's value (pk_live_…) or id; absent: every key of the tenant. */
  key?: string | undefined;
  kind?: UsageKind | 'tokens' | undefined;
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

/** One group of the tenant's LLM token spend (`kind=tokens`), in the units of a reply's `tokenUsage`. */
export interface TokenSpendItem {
  kind: 'tokens';
  day?: string;
  flowId?: string;
  intentName?: string;
  model?: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_micros: number;
  cost_usd: number;
}

export type UsagePage =
  | { items: UsageRow[]; nextCursor: string | null }
  | { items: TokenSpendItem[]; nextCursor: string | null };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const COLUMNS: Record<'day' | 'key' | 'kind', 'day' | 'public_key_id' | 'kind'> = {
  day: 'day',
  key: 'public_key_id',
  kind: 'kind',
};
const DEFAULT_LIMIT = 50;

/**
 * Usage (DESIGN §9, §14), one page at a time: the widget keys' counters in (day, key, kind) order, or with
 * `kind=tokens` the tenant's LLM token spend from its rollup (per day, flow or model). The one place a kind picks its
 * source.
 */
export async function readUsage(ctx: AppContext, query: UsageQuery): Promise<UsagePage> {
  if (query.kind === 'tokens') return readTokens(ctx, query);
  if (query.groupBy !== undefined && !COUNTER_GROUPS.includes(query.groupBy)) {
    throw groupError(query.groupBy, COUNTER_GROUPS, 'counters');
  }
  return readCounters(ctx, { ...query, kind: query.kind });
}

function groupError(group: string, allowed: readonly string[], what: string): AppError {
  return new AppError('invalid_request', `groupBy: ${what} group by ${allowed.join(', ')}, not ${group}`, {
    fields: [{ path: 'groupBy', rule: 'enum', message: `must be one of ${allowed.join(', ')}` }],
  });
}

/** Token spend is per tenant: no key filter; absent days mean unbounded; the cursor is the last group's key. */
async function readTokens(
  ctx: AppContext,
  query: UsageQuery,
): Promise<{ items: TokenSpendItem[]; nextCursor: string | null }> {
  if (query.key !== undefined) {
    throw new AppError('invalid_request', 'key: token spend is per tenant, not per widget key', {
      fields: [{ path: 'key', rule: 'unexpected', message: 'not allowed with kind=tokens' }],
    });
  }
  const groupBy = query.groupBy ?? 'day';
  if (!(TOKEN_GROUPS as readonly string[]).includes(groupBy)) throw groupError(groupBy, TOKEN_GROUPS, 'token spend');
  const rows = await readTokenSpend(ctx.kysely, {
    tenantId: query.tenantId,
    from: query.from ?? '0001-01-01',
    to: query.to ?? '9999-12-31',
    groupBy: groupBy as (typeof TOKEN_GROUPS)[number],
  });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)?.at(0);
  const limit = query.limit ?? DEFAULT_LIMIT;
  // readTokenSpend orders by the group's raw key (the flow's id for flows), which is what the cursor holds.
  const rawKey = (r: (typeof rows)[number]) => r.flowId ?? r.key;
  const rest = after === undefined ? rows : rows.filter((r) => rawKey(r) > after);
  const page = rest.slice(0, limit);
  const last = rest.length > limit ? page.at(-1) : undefined;
  return {
    items: page.map((r) => ({
      kind: 'tokens' as const,
      ...(groupBy === 'day' ? { day: r.key } : groupBy === 'model' ? { model: r.key } : {}),
      ...(groupBy === 'flow' ? { flowId: r.flowId ?? r.key, intentName: r.key } : {}),
      calls: r.calls,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      total_tokens: r.total_tokens,
      cost_micros: r.cost_micros,
      cost_usd: r.cost_usd,
    })),
    nextCursor: last ? Buffer.from(JSON.stringify([rawKey(last)])).toString('base64url') : null,
  };
}

async function readCounters(
  ctx: AppContext,
  query: UsageQuery & { kind?: UsageKind | undefined },
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
  const groups = query.groupBy
    ? [COLUMNS[query.groupBy as 'day' | 'key' | 'kind']]
    : (['day', 'public_key_id', 'kind'] as const);
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
