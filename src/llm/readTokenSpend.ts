import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

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
