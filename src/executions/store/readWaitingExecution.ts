import { precompile } from '../../db/precompile.js';
import { aliasedKeyColumns, sessionColumns } from '../../sessions/sessionStore.js';

const executionColumns = [
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
  'e.wait_kind',
  'e.wait_fields',
  'e.wait_node_id',
  'e.wait_expires_at',
] as const;

/**
 * What a step on a waiting execution needs, in one read: the execution with its wait, its conversation's variables
 * and its session's locale. Resumes (input waits) and the worker (time waits) both start from it.
 */
export const readWaitingExecution = precompile(['executionId', 'tenantId'], (db, v) =>
  db
    .selectFrom('executions as e')
    .innerJoin('conversations as c', 'c.id', 'e.conversation_id')
    .leftJoin('sessions as s', 's.id', 'e.session_id')
    .select([...executionColumns, 'e.turn_usage', 's.locale'])
    .where('e.id', '=', v.executionId)
    .where('e.tenant_id', '=', v.tenantId),
);

/**
 * The same read for a resume whose session this process does not remember: the caller's session and its key come
 * with the execution (left joined, so an unknown session still returns the execution), one round trip for both.
 */
export const readWaitingExecutionAs = precompile(['executionId', 'tenantId', 'sessionId'], (db, v) =>
  db
    .selectFrom('executions as e')
    .innerJoin('conversations as c', 'c.id', 'e.conversation_id')
    .leftJoin('sessions as cs', (join) => join.on('cs.id', '=', v.sessionId).onRef('cs.tenant_id', '=', 'e.tenant_id'))
    .leftJoin('public_keys as k', 'k.id', 'cs.public_key_id')
    .select([...executionColumns, 'cs.locale', ...aliasedKeyColumns, ...sessionColumns])
    .where('e.id', '=', v.executionId)
    .where('e.tenant_id', '=', v.tenantId),
);
