import { precompile } from '../../db/precompile.js';
import { OPEN_STATUS_LITERALS } from './openStatusLiterals.js';

/** The conversation and its open execution (at most one: a unique index). */
export const readConversation = precompile(['conversationId', 'tenantId'], (db, v) =>
  db
    .selectFrom('conversations as c')
    .leftJoin('executions as e', (join) =>
      join.onRef('e.conversation_id', '=', 'c.id').on('e.status', 'in', OPEN_STATUS_LITERALS),
    )
    .select([
      'c.variables',
      'c.customer_id',
      'e.id as open_id',
      'e.status as open_status',
      'e.version as open_version',
      'e.wait_id as open_wait_id',
    ])
    .where('c.id', '=', v.conversationId)
    .where('c.tenant_id', '=', v.tenantId),
);
