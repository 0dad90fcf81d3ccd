import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';

export interface TokenSpendQuery {
  tenantId: string;
  /** First UTC day included, `YYYY-MM-DD`. */
  from: string;
  /** Last UTC day included, `YYYY-MM-DD`. */
  to: string;
  groupBy: 'day' | 'flow' | 'model';
}

export interface TokenSpendRow {
  /** The day (`YYYY-MM-DD`), the flow's intent name (its id when the flow is gone) or the model. */
  key: string;
  /** groupBy `flow`: the flow's id. */
  flowId?: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_micros: number;
  cost_usd: number;
}

/**
 * Token spend of a tenant from the rollup (`llm_spend_daily`), between two UTC days inclusive, grouped by day, flow or
 * model, ordered by that key. The reader behind `usage:show --kind=tokens` and `GET /api/engine/v1/usage?kind=tokens`.
 */
export async function readTokenSpend(db: Kysely<Database>, query: TokenSpendQuery): Promise<TokenSpendRow[]> {
  checkQuery(query);
  const group =
    query.groupBy === 'day' ? sql`d.day::text` : query.groupBy === 'model' ? sql`d.model` : sql`d.flow_id::text`;
  const result = await sql<{
    key: string;
    calls: string | number;
    prompt_tokens: string | number;
    completion_tokens: string | number;
    total_tokens: string | number;
    cost_micros: string | number;
  }>`
    select ${group} as key, sum(d.calls)::int8 as calls, sum(d.prompt_tokens)::int8 as prompt_tokens,
      sum(d.completion_tokens)::int8 as completion_tokens, sum(d.total_tokens)::int8 as total_tokens,
      sum(d.cost_micros)::int8 as cost_micros
    from llm_spend_daily d
    where d.tenant_id = ${query.tenantId}::uuid and d.day >= ${query.from}::date and d.day <= ${query.to}::date
    group by 1 order by 1`.execute(db);
  let names = new Map<string, string>();
  if (query.groupBy === 'flow' && result.rows.length > 0) {
    const flows = await db
      .selectFrom('flows')
      .select(['id', 'intent_name'])
      .where('tenant_id', '=', query.tenantId)
      .where(
        'id',
        'in',
        result.rows.map((r) => r.key),
      )
      .execute();
    names = new Map(flows.map((f) => [f.id, f.intent_name]));
  }
  return result.rows.map((r) => {
    const cost = Number(r.cost_micros);
    return {
      key: query.groupBy === 'flow' ? (names.get(r.key) ?? r.key) : r.key,
      ...(query.groupBy === 'flow' ? { flowId: r.key } : {}),
      calls: Number(r.calls),
      prompt_tokens: Number(r.prompt_tokens),
      completion_tokens: Number(r.completion_tokens),
      total_tokens: Number(r.total_tokens),
      cost_micros: cost,
      cost_usd: cost / 1e6,
    };
  });
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Bad input is a 422-style `invalid_request` naming the field (`from`, `to`, `groupBy`), never a database error. */
function checkQuery(query: TokenSpendQuery): void {
  const issues: FieldIssue[] = [];
  for (const field of ['from', 'to'] as const) {
    const value = query[field];
    if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      issues.push({ path: field, rule: 'date', message: `${field} must be a day, YYYY-MM-DD` });
    }
  }
  if (issues.length === 0 && query.from > query.to) {
    issues.push({ path: 'from', rule: 'range', message: 'from must not be after to' });
  }
  if (!['day', 'flow', 'model'].includes(query.groupBy)) {
    issues.push({ path: 'groupBy', rule: 'enum', message: 'groupBy must be day, flow or model' });
  }
  if (issues.length > 0) {
    throw new AppError('invalid_request', issues.map((i) => i.message).join('; '), { fields: issues });
  }
}
