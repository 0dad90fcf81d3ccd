import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import type { TokenUsage } from './tokenUsage.js';

/**
 * An execution's running LLM totals over all its turns (the Engine API's `tokenUsage`; replies and polls carry the
 * turn's sum instead), from its stored calls; `model` is the newest call's. Undefined when no LLM was called.
 */
export async function executionTokenUsage(
  db: Kysely<Database>,
  tenantId: string,
  executionId: string,
): Promise<TokenUsage | undefined> {
  const { rows } = await sql<{
    calls: number | string;
    prompt_tokens: number | string | null;
    completion_tokens: number | string | null;
    total_tokens: number | string | null;
    cost_micros: number | string | null;
    model: string | null;
  }>`
    select count(*)::int8 as calls, sum(prompt_tokens)::int8 as prompt_tokens,
      sum(completion_tokens)::int8 as completion_tokens, sum(total_tokens)::int8 as total_tokens,
      sum(cost_micros)::int8 as cost_micros,
      (array_agg(model order by created_at desc, attempt desc))[1] as model
    from llm_calls where tenant_id = ${tenantId}::uuid and execution_id = ${executionId}::uuid`.execute(db);
  const row = rows[0];
  if (!row || Number(row.calls) === 0 || row.model === null) return undefined;
  const cost = Number(row.cost_micros ?? 0);
  return {
    prompt_tokens: Number(row.prompt_tokens ?? 0),
    completion_tokens: Number(row.completion_tokens ?? 0),
    total_tokens: Number(row.total_tokens ?? 0),
    model: row.model,
    cost_micros: cost,
    cost_usd: cost / 1e6,
  };
}
