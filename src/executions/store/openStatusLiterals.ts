import { sql } from 'kysely';
import { OPEN_STATUSES } from '../../engine/types.js';

/**
 * The open statuses as SQL literals, for `status in (…)` against the partial index `executions_open`. With bound
 * parameters a prepared statement's generic plan cannot prove that the index predicate holds, so after a few runs
 * PostgreSQL switches to scanning all of the conversation's executions (measured: ~120 heap fetches per trigger in a
 * conversation of 200 executions, 1 with literals).
 */
export const OPEN_STATUS_LITERALS = OPEN_STATUSES.map((status) => sql.lit(status));
