import { type Kysely, sql } from 'kysely';

// An execution keeps only the newest TRACE_LIMIT step-trace entries (src/executions/traceLimit.ts): a looping flow
// otherwise grows `trace` without bound, and every turn rewrites the whole jsonb value. `trace_dropped` counts the
// older entries let go, so operators and the Engine API can say "N earlier steps not kept" instead of showing a
// silently truncated path. A column rather than a marker entry: the trace stays a plain list of steps, and the count
// is a number a reader need not fish out of it.
//
// Existing traces are not trimmed here (that would rewrite every row of the table): the next turn of an execution
// caps its trace and counts exactly what it drops; an ended execution keeps what it has, with nothing dropped.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A constant default: PostgreSQL adds the column without rewriting the table.
  await sql`alter table executions add column trace_dropped integer not null default 0`.execute(db);
}
