import { type Kysely, type RawBuilder, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { ItemRow, TurnOutcome, WaitRow } from './persistStep.js';
import type { ExecutionView } from './turnResponse.js';

// A turn's writes — the execution row, its transcript items, its new wait — go to the database as ONE statement
// (data-modifying CTEs), so a turn costs a lock, one write and the commit whatever the flow emitted. The rows of
// `items` and the wait are inserted only when the execution row was written, so a lost race writes nothing.

const RETURNING = sql`id, conversation_id, status, version, last_seq, wait_id, wait_expires_at, error, reason`;

interface Common {
  tenantId: string;
  conversationId: string;
  items: ItemRow[];
  wait: WaitRow | null;
  now: Date;
  /** On PostgreSQL the change is announced in the same statement (delivered on commit). */
  notify: boolean;
}

function itemsCte(args: Common): RawBuilder<unknown> {
  if (args.items.length === 0) return sql``;
  return sql`, items as (
    insert into chat_items (tenant_id, conversation_id, execution_id, seq, role, body, created_at)
    select ${args.tenantId}::uuid, ${args.conversationId}::uuid, e.id, x.seq, x.role, x.body, ${args.now}::timestamptz
    from e, rows from (jsonb_to_recordset(${json(args.items)}::jsonb) as (seq int, role text, body jsonb)) with ordinality as x(seq, role, body, ord)
    order by x.ord
    returning 1
  )`;
}

function waitCte(args: Common): RawBuilder<unknown> {
  const w = args.wait;
  if (!w) return sql``;
  return sql`, w as (
    insert into waits (id, tenant_id, execution_id, node_id, kind, status, fields, submit_label, expires_at, resume_at, created_at)
    select ${w.id}::uuid, ${args.tenantId}::uuid, e.id, ${w.node_id}, ${w.kind}, 'open', ${json(w.fields)}::jsonb,
      ${w.submit_label}, ${w.expires_at}::timestamptz, ${w.resume_at}::timestamptz, ${args.now}::timestamptz
    from e
    returning 1
  )`;
}

/** Executions of the conversation that give way to a new trigger: aborted (their open waits were cancelled first). */
function supersedeCte(supersede: { ids: string[]; statuses: string[] }, now: Date): RawBuilder<unknown> {
  if (supersede.ids.length === 0) return sql``;
  return sql`, sup as (
    update executions set status = 'aborted', reason = 'superseded', version = version + 1,
      updated_at = ${now}::timestamptz, ended_at = ${now}::timestamptz
    where id in (select (jsonb_array_elements_text(${json(supersede.ids)}::jsonb))::uuid)
      and status in (select jsonb_array_elements_text(${json(supersede.statuses)}::jsonb))
    returning id
  )`;
}

function finalSelect(notify: boolean, superseded = false): RawBuilder<unknown> {
  if (!notify) return sql`select e.* from e`;
  const others = superseded
    ? sql`, (select count(pg_notify('comerix_executions', sup.id::text)) from sup) as notified_superseded`
    : sql``;
  return sql`select e.*, pg_notify('comerix_executions', e.id::text) as notified${others} from e`;
}

/** A new execution and everything its first step produced; `supersede` lists open executions it aborts. */
export async function insertTurn(
  trx: Kysely<Database>,
  args: Common & {
    /** Open executions this trigger aborts, and the statuses it decided they may have (waits already cancelled). */
    supersede: { ids: string[]; statuses: string[] };
    row: {
      id: string;
      session_id: string;
      flow_id: string;
      flow_version_id: string;
      intent_name: string;
    } & TurnOutcome;
  },
): Promise<ExecutionView> {
  const r = args.row;
  const result = await sql<ExecutionView>`
    with e as (
      insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id, intent_name, status,
        version, state, last_seq, wait_id, wait_expires_at, error, reason, trace, active_ms, created_at, updated_at, ended_at)
      values (${r.id}::uuid, ${args.tenantId}::uuid, ${args.conversationId}::uuid, ${r.session_id}::uuid, ${r.flow_id}::uuid,
        ${r.flow_version_id}::uuid, ${r.intent_name}, ${r.status}, 1, ${json(r.state)}::jsonb, ${r.last_seq}, ${r.wait_id}::uuid,
        ${r.wait_expires_at}::timestamptz, ${r.error === null ? null : json(r.error)}::jsonb, ${r.reason}, ${json(r.trace)}::jsonb,
        ${r.active_ms}, ${args.now}::timestamptz, ${args.now}::timestamptz, ${r.ended_at}::timestamptz)
      returning ${RETURNING}
    )${itemsCte(args)}${waitCte(args)}${supersedeCte(args.supersede, args.now)}
    ${finalSelect(args.notify, args.supersede.ids.length > 0)}`.execute(trx);
  return strip(result.rows[0]!);
}

/**
 * The outcome of a step on a waiting execution, conditional on the version and status it read and, when given, on
 * claiming the wait it answered (open → claimed) in the same statement. Undefined when that condition failed.
 */
export async function updateTurn(
  trx: Kysely<Database>,
  args: Common & {
    id: string;
    expectedVersion: number;
    expectedStatus: string;
    claimWaitId: string | null;
    set: TurnOutcome;
  },
): Promise<ExecutionView | undefined> {
  const s = args.set;
  const claim = args.claimWaitId
    ? sql`claim as (
        update waits set status = 'claimed', claimed_at = ${args.now}::timestamptz
        where id = ${args.claimWaitId}::uuid and status = 'open'
        returning id
      ), `
    : sql``;
  const claimed = args.claimWaitId ? sql`and exists (select 1 from claim)` : sql``;
  const result = await sql<ExecutionView>`
    with ${claim}e as (
      update executions set status = ${s.status}, version = version + 1, state = ${json(s.state)}::jsonb,
        last_seq = ${s.last_seq}, wait_id = ${s.wait_id}::uuid, wait_expires_at = ${s.wait_expires_at}::timestamptz,
        error = ${s.error === null ? null : json(s.error)}::jsonb, reason = ${s.reason},
        trace = trace || ${json(s.trace)}::jsonb, active_ms = active_ms + ${s.active_ms},
        updated_at = ${args.now}::timestamptz, ended_at = ${s.ended_at}::timestamptz
      where id = ${args.id}::uuid and tenant_id = ${args.tenantId}::uuid
        and version = ${args.expectedVersion} and status = ${args.expectedStatus} ${claimed}
      returning ${RETURNING}
    )${itemsCte(args)}${waitCte(args)}
    ${finalSelect(args.notify)}`.execute(trx);
  const row = result.rows[0];
  return row ? strip(row) : undefined;
}

function strip(row: ExecutionView & { notified?: unknown; notified_superseded?: unknown }): ExecutionView {
  const { notified: _notified, notified_superseded: _superseded, ...view } = row;
  return view;
}
