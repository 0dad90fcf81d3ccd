import { precompile } from '../db/precompile.js';

/**
 * What a step on a waiting execution needs, in one read: the execution with its wait, its conversation's variables
 * and its session's locale. Resumes (input waits) and the worker (time waits) both start from it.
 */
export const readWaitingExecution = precompile(['executionId', 'tenantId'], (db, v) =>
  db
    .selectFrom('executions as e')
    .innerJoin('conversations as c', 'c.id', 'e.conversation_id')
    .leftJoin('sessions as s', 's.id', 'e.session_id')
    .select([
      'e.id',
      'e.tenant_id',
      'e.conversation_id',
      'e.status',
      'e.version',
      'e.state',
      'e.last_seq',
      'e.wait_id',
      'e.flow_version_id',
      'c.variables',
      'c.customer_id',
      's.locale',
      'e.wait_kind',
      'e.wait_fields',
      'e.wait_node_id',
      'e.wait_expires_at',
    ])
    .where('e.id', '=', v.executionId)
    .where('e.tenant_id', '=', v.tenantId),
);
