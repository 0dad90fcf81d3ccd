import { type Kysely, sql } from 'kysely';

// An execution's wait lives on the execution row (DESIGN §6, §7).
//
// An execution has at most one wait at a time, and every change to it already was a conditional update of the
// execution (status + version). The separate `waits` row added a second row to insert per waiting turn, to claim per
// resume and to cancel per supersede — with its index entries and foreign-key check — and a second row lock whose
// order resumes, triggers and the sweeper had to agree on. Now:
// - `wait_id` names the execution's current wait; `wait_kind`, `wait_node_id`, `wait_fields`, `wait_submit_label`,
//   `wait_expires_at` and `wait_resume_at` describe it;
// - the wait is open while the execution's status is `waiting_input` / `waiting_time`;
// - a resume (or the job of a time wait) consumes it: the same conditional update that advances the execution replaces
//   the wait columns with the next wait's, or clears them. So a token whose wait is no longer `wait_id` was used
//   (`wait_token_invalid`), and a token whose wait is still `wait_id` on an execution that no longer waits belongs to an
//   execution that was superseded, expired or failed (`execution_not_waiting`) — the answers the `waits` row's statuses
//   gave.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `alter table executions
    add column wait_kind text check (wait_kind in ('input', 'time')),
    add column wait_node_id text,
    add column wait_fields jsonb,
    add column wait_submit_label text,
    add column wait_resume_at timestamptz`,
  // Claimed waits were consumed: their executions keep no wait. Open, cancelled and expired ones stay described.
  `update executions e set
     wait_id = case when w.status = 'claimed' then null else w.id end,
     wait_expires_at = case when w.status = 'claimed' then null else e.wait_expires_at end,
     wait_kind = case when w.status = 'claimed' then null else w.kind end,
     wait_node_id = case when w.status = 'claimed' then null else w.node_id end,
     wait_fields = case when w.status = 'claimed' then null else w.fields end,
     wait_submit_label = case when w.status = 'claimed' then null else w.submit_label end,
     wait_resume_at = case when w.status = 'claimed' then null else w.resume_at end
   from waits w
   where w.id = e.wait_id`,
  'drop table waits',
];
