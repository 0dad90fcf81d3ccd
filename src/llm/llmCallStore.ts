import { type Kysely, sql } from 'kysely';
import { newId } from '../db/newId.js';
import type { Database } from '../db/types.js';

/** What identifies one provider call: the same job delivered twice asks for the same key. */
export interface LlmCallKey {
  executionId: string;
  nodeId: string;
  waitId: string;
  /** 0: the call; 1: the repair call. */
  attempt: number;
}

export interface LlmCallRecord extends LlmCallKey {
  tenantId: string;
  flowId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costMicros: number;
  latencyMs: number;
  outcome: 'ok' | 'error';
  errorCode?: string;
  answer?: string;
  at: Date;
}

/** A successful call already made for this key (its answer is reused instead of calling the provider again). */
export async function findAnsweredCall(db: Kysely<Database>, tenantId: string, key: LlmCallKey) {
  return db
    .selectFrom('llm_calls')
    .select(['model', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros', 'answer'])
    .where('tenant_id', '=', tenantId)
    .where('execution_id', '=', key.executionId)
    .where('node_id', '=', key.nodeId)
    .where('wait_id', '=', key.waitId)
    .where('attempt', '=', key.attempt)
    .where('outcome', '=', 'ok')
    .executeTakeFirst();
}

/**
 * Stores a call and adds it to the Token spend rollup (UTC day × tenant × flow × model) in one transaction, so the
 * rollup always equals the sum of the stored calls. An answer already stored for the key (a concurrent duplicate
 * delivery) is kept as it is and counted once. Failed calls are stored (outcome `error`) each time they happen and
 * counted as calls with the tokens they reported (none), so a later successful run of the same job is stored too.
 */
export async function recordCall(db: Kysely<Database>, call: LlmCallRecord): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('llm_calls')
      .values({
        id: newId(),
        tenant_id: call.tenantId,
        execution_id: call.executionId,
        flow_id: call.flowId,
        node_id: call.nodeId,
        wait_id: call.waitId,
        attempt: call.attempt,
        model: call.model,
        prompt_tokens: call.promptTokens,
        completion_tokens: call.completionTokens,
        total_tokens: call.totalTokens,
        cost_micros: call.costMicros,
        latency_ms: Math.round(call.latencyMs),
        outcome: call.outcome,
        error_code: call.errorCode ?? null,
        answer: call.answer ?? null,
        created_at: call.at,
      })
      .onConflict((oc) =>
        oc
          .columns(['execution_id', 'node_id', 'wait_id', 'attempt'])
          // A literal predicate: a partial unique index is matched by its own condition, never by a parameter.
          .where(sql<boolean>`outcome = 'ok'`)
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    await sql`
      insert into llm_spend_daily as d
        (tenant_id, day, flow_id, model, calls, prompt_tokens, completion_tokens, total_tokens, cost_micros)
      values (${call.tenantId}::uuid, (${call.at}::timestamptz at time zone 'UTC')::date, ${call.flowId}::uuid,
        ${call.model}, 1, ${call.promptTokens}, ${call.completionTokens}, ${call.totalTokens}, ${call.costMicros})
      on conflict (tenant_id, day, flow_id, model) do update set
        calls = d.calls + 1,
        prompt_tokens = d.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = d.completion_tokens + excluded.completion_tokens,
        total_tokens = d.total_tokens + excluded.total_tokens,
        cost_micros = d.cost_micros + excluded.cost_micros`.execute(trx);
    return true;
  });
}

/**
 * Claims the call for this delivery until `until`: true when no other delivery holds it, or its claim has lapsed (its
 * worker died mid-call). One statement, so of two concurrent deliveries exactly one gets it.
 */
export async function claimCall(db: Kysely<Database>, key: LlmCallKey, now: Date, until: Date): Promise<boolean> {
  const row = await db
    .insertInto('llm_call_claims')
    .values({
      execution_id: key.executionId,
      node_id: key.nodeId,
      wait_id: key.waitId,
      attempt: key.attempt,
      claimed_until: until,
    })
    .onConflict((oc) =>
      oc
        .columns(['execution_id', 'node_id', 'wait_id', 'attempt'])
        .doUpdateSet({ claimed_until: until })
        .where('llm_call_claims.claimed_until', '<', now),
    )
    .returning('attempt')
    .executeTakeFirst();
  return row !== undefined;
}

/** The call landed (or failed): the next delivery may call again, or find the stored answer. */
export async function releaseCall(db: Kysely<Database>, key: LlmCallKey): Promise<void> {
  await db
    .deleteFrom('llm_call_claims')
    .where('execution_id', '=', key.executionId)
    .where('node_id', '=', key.nodeId)
    .where('wait_id', '=', key.waitId)
    .where('attempt', '=', key.attempt)
    .execute();
}
