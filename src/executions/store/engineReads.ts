import { type Kysely, sql } from 'kysely';

import type { Database, Execution } from '../../db/types.js';
import { OPEN_STATUS_LITERALS } from './openStatusLiterals.js';

// The Engine API's reads of executions (tenant-scoped: another tenant's id finds nothing) and its one state change.

/** Everything the Engine API shows of an execution. */
export type ExecutionDetailRow = Pick<
  Execution,
  | 'id'
  | 'conversation_id'
  | 'session_id'
  | 'flow_id'
  | 'flow_version_id'
  | 'intent_name'
  | 'status'
  | 'version'
  | 'state'
  | 'last_seq'
  | 'wait_id'
  | 'wait_kind'
  | 'wait_fields'
  | 'wait_expires_at'
  | 'wait_resume_at'
  | 'error'
  | 'reason'
  | 'trace'
  | 'trace_dropped'
  | 'active_ms'
  | 'created_at'
  | 'updated_at'
  | 'ended_at'
>;

const DETAIL_COLUMNS = [
  'id',
  'conversation_id',
  'session_id',
  'flow_id',
  'flow_version_id',
  'intent_name',
  'status',
  'version',
  'state',
  'last_seq',
  'wait_id',
  'wait_kind',
  'wait_fields',
  'wait_expires_at',
  'wait_resume_at',
  'error',
  'reason',
  'trace',
  'trace_dropped',
  'active_ms',
  'created_at',
  'updated_at',
  'ended_at',
] as const;

export async function readExecutionDetail(
  db: Kysely<Database>,
  tenantId: string,
  executionId: string,
): Promise<ExecutionDetailRow | undefined> {
  return db
    .selectFrom('executions')
    .select(DETAIL_COLUMNS)
    .where('id', '=', executionId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

/**
 * Aborts the execution if it is still open in the very status and version it was read in (a concurrent turn, job,
 * sweep or abort either got there first — then nothing changes — or finds it ended). The wait columns stay: a wait
 * token of an execution that no longer waits answers `execution_not_waiting`.
 */
export async function abortOpenExecution(
  db: Kysely<Database>,
  now: Date,
  args: { tenantId: string; id: string; status: string; version: number; reason: string },
): Promise<{ id: string; wait_id: string | null } | undefined> {
  return db
    .updateTable('executions')
    .set({
      status: 'aborted',
      reason: args.reason,
      error: null,
      version: sql`version + 1`,
      updated_at: now,
      ended_at: now,
    })
    .where('id', '=', args.id)
    .where('tenant_id', '=', args.tenantId)
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .where('status', '=', args.status)
    .where('version', '=', args.version)
    .returning(['id', 'wait_id'])
    .executeTakeFirst();
}

/** One page of a conversation's executions, newest first, after a (created_at, id) keyset position. */
export async function listConversationExecutions(
  db: Kysely<Database>,
  where: { tenantId: string; conversationId: string },
  after: { at: string; id: string } | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('executions')
    .select([
      'id',
      'intent_name',
      'status',
      'reason',
      'error',
      'created_at',
      'ended_at',
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
    ])
    .where('conversation_id', '=', where.conversationId)
    .where('tenant_id', '=', where.tenantId);
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
