import { type Kysely, sql } from 'kysely';

// Chat turns are written without a conversation lock (DESIGN §2, rule 6): each turn is one statement conditional on
// the state it read. Two things make that safe:
// - at most one open execution per conversation, enforced by a unique index, so two first triggers cannot both win;
// - `comerix_turn_guard(ok)`, which aborts the statement with SQLSTATE CX409 when a condition it depends on failed,
//   so a turn whose parts did not all apply writes nothing (the caller re-reads and tries again).
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  // Before the index can be unique: a conversation that somehow holds several open executions keeps its newest.
  `update executions e set status = 'aborted', reason = 'superseded', version = version + 1,
      updated_at = now(), ended_at = now()
    where status in ('running', 'waiting_input', 'waiting_time')
      and exists (
        select 1 from executions n
        where n.conversation_id = e.conversation_id and n.id > e.id
          and n.status in ('running', 'waiting_input', 'waiting_time')
      )`,
  // Their open waits (and any other wait no open execution is waiting on) can no longer be answered.
  `update waits w set status = 'cancelled'
    where status = 'open'
      and not exists (
        select 1 from executions e
        where e.id = w.execution_id and e.wait_id = w.id and e.status in ('waiting_input', 'waiting_time')
      )`,
  'drop index executions_open',
  `create unique index executions_open on executions (conversation_id)
      where status in ('running', 'waiting_input', 'waiting_time')`,
  `create function comerix_turn_guard(ok boolean) returns boolean language plpgsql volatile as $$
    begin
      if ok is not true then
        raise exception 'the conversation changed while this turn ran' using errcode = 'CX409';
      end if;
      return true;
    end
    $$`,
];
