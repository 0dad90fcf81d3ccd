import { sql } from 'kysely';

/**
 * Step-trace entries an execution keeps: the newest ones; older ones are counted in `executions.trace_dropped`.
 * A turn of an ordinary flow runs a handful of steps and a whole conversation a few dozen, so 200 keeps the complete
 * path of nearly every execution and, for a loop, its last rounds — where an operator looks to see why it went
 * around. It also bounds the row: an entry is ~50–100 bytes of jsonb, so at most ~20 KB, which every turn rewrites
 * (uncapped, one 1,000-step turn of a loop would add ~75 KB to each later write).
 */
export const TRACE_LIMIT = 200;

/** jsonpath of the newest TRACE_LIMIT elements of an array (lax mode: fewer elements are all kept). */
export const TRACE_TAIL = sql.lit(`$[last - ${TRACE_LIMIT - 1} to last]`);
