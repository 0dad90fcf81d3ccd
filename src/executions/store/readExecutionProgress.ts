import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.js';

/** Where an execution stands, as a worker checks before doing a job's work. */
export interface ExecutionProgress {
  status: string;
  wait_id: string | null;
  active_ms: number;
  flow_id: string;
  conversation_id: string;
  last_seq: number;
}

/** Status, wait and running time, plus what an `llm` job needs (its flow, conversation and next block number). */
export async function readExecutionProgress(
  db: Kysely<Database>,
  executionId: string,
  tenantId: string,
): Promise<ExecutionProgress | undefined> {
  return db
    .selectFrom('executions')
    .select(['status', 'wait_id', 'active_ms', 'flow_id', 'conversation_id', 'last_seq'])
    .where('id', '=', executionId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}
