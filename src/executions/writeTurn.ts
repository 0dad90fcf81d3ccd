import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { ItemRow, TurnOutcome, WaitRow } from './persistStep.js';
import { TurnConflict } from './TurnConflict.js';
import type { ExecutionView } from './turnResponse.js';

// A turn's writes — the execution row, its transcript items, its new wait, the superseded execution, the claimed
// wait, changed conversation variables — go to the database as ONE statement of data-modifying CTEs, conditional on
// the state the turn read. No lock is held while the engine runs: when any condition failed (a concurrent turn got
// there first), `comerix_turn_guard` aborts the whole statement with SQLSTATE CX409, nothing is written, and the
// caller re-reads and runs the turn again (`TurnConflict`).

const RETURNING = sql`id, conversation_id, status, version, last_seq, wait_id, wait_expires_at, error, reason`;

interface Common {
  tenantId: string;
  conversationId: string;
  items: ItemRow[];
  wait: WaitRow | null;
  now: Date;
  /** New conversation variables, written only if the row still holds the ones the turn read. */
  variables?: { read: JsonObject; write: JsonObject };
  /**
   * Variables the turn ran with but does not change, which the conversation must still hold: set when they came from
   * the `ConversationCache` rather than a read.
   */
  expectVariables?: JsonObject;
}

function checksVariables(args: Common): boolean {
  return args.variables !== undefined || args.expectVariables !== undefined;
}

function variablesCte(args: Common): RawBuilder<unknown> {
  const v = args.variables;
  if (!v) {
    if (!args.expectVariables) return sql``;
    return sql`vars as (
      select 1 from conversations
      where id = ${args.conversationId}::uuid and tenant_id = ${args.tenantId}::uuid
        and variables = ${json(args.expectVariables)}::jsonb
    ), `;
  }
  return sql`vars as (
    update conversations set variables = ${json(v.write)}::jsonb, updated_at = ${args.now}::timestamptz
    where id = ${args.conversationId}::uuid and tenant_id = ${args.tenantId}::uuid and variables = ${json(v.read)}::jsonb
    returning 1
  ), `;
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

/** The conversation's open execution a new trigger aborts, as the trigger read it. */
export interface Superseded {
  id: string;
  status: string;
  version: number;
  waitId: string | null;
}

/**
 * The open execution gives way: its open wait is cancelled first (the lock order of resumes and the sweeper: wait,
 * then execution), then the execution is aborted if it is still in the state the trigger read.
 */
function supersedeCtes(args: Common, s: Superseded | null): RawBuilder<unknown> {
  if (!s) return sql``;
  const cancel = s.waitId
    ? sql`cw as (
        update waits set status = 'cancelled' where id = ${s.waitId}::uuid and status = 'open' returning 1
      ), `
    : sql``;
  return sql`${cancel}sup as (
    update executions set status = 'aborted', reason = 'superseded', version = version + 1,
      updated_at = ${args.now}::timestamptz, ended_at = ${args.now}::timestamptz
    where id = ${s.id}::uuid and tenant_id = ${args.tenantId}::uuid and version = ${s.version} and status = ${s.status}
      ${s.waitId ? sql`and (select count(*) from cw) >= 0` : sql``}
    returning id
  ), `;
}

/** A new execution and everything its first step produced; `supersede` is the open execution it aborts. */
export function insertTurn(
  args: Common & {
    supersede: Superseded | null;
    row: {
      id: string;
      session_id: string;
      flow_id: string;
      flow_version_id: string;
      intent_name: string;
    } & TurnOutcome;
  },
): RawBuilder<ExecutionView> {
  const r = args.row;
  const conditions = [
    ...(checksVariables(args) ? [sql`(select count(*) from vars) = 1`] : []),
    ...(args.supersede ? [sql`(select count(*) from sup) = 1`] : []),
  ];
  // The guard runs (and with it the supersede) before the insert, which the unique open-execution index checks.
  const guard =
    conditions.length > 0 ? sql`g as (select comerix_turn_guard(${sql.join(conditions, sql` and `)})), ` : sql``;
  return sql<ExecutionView>`
    with ${variablesCte(args)}${supersedeCtes(args, args.supersede)}${guard}e as (
      insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id, intent_name, status,
        version, state, last_seq, wait_id, wait_expires_at, error, reason, trace, active_ms, created_at, updated_at, ended_at)
      select ${r.id}::uuid, ${args.tenantId}::uuid, ${args.conversationId}::uuid, ${r.session_id}::uuid, ${r.flow_id}::uuid,
        ${r.flow_version_id}::uuid, ${r.intent_name}, ${r.status}, 1, ${json(r.state)}::jsonb, ${r.last_seq}, ${r.wait_id}::uuid,
        ${r.wait_expires_at}::timestamptz, ${r.error === null ? null : json(r.error)}::jsonb, ${r.reason}, ${json(r.trace)}::jsonb,
        ${r.active_ms}, ${args.now}::timestamptz, ${args.now}::timestamptz, ${r.ended_at}::timestamptz
      ${conditions.length > 0 ? sql`from g` : sql``}
      returning ${RETURNING}
    )${itemsCte(args)}${waitCte(args)}
    select e.* from e`;
}

/**
 * The outcome of a step on a waiting execution, conditional on the version and status it read and, when given, on
 * claiming the wait it answered (open and not expired → claimed) in the same statement.
 */
export function updateTurn(
  args: Common & {
    id: string;
    expectedVersion: number;
    expectedStatus: string;
    claimWaitId: string | null;
    set: TurnOutcome;
  },
): RawBuilder<ExecutionView> {
  const s = args.set;
  const claim = args.claimWaitId
    ? sql`claim as (
        update waits set status = 'claimed', claimed_at = ${args.now}::timestamptz
        where id = ${args.claimWaitId}::uuid and status = 'open'
          and (expires_at is null or expires_at > ${args.now}::timestamptz)
        returning id
      ), `
    : sql``;
  const claimed = args.claimWaitId ? sql`and exists (select 1 from claim)` : sql``;
  const conditions = [
    sql`exists (select 1 from e)`,
    ...(checksVariables(args) ? [sql`(select count(*) from vars) = 1`] : []),
  ];
  return sql<ExecutionView>`
    with ${variablesCte(args)}${claim}e as (
      update executions set status = ${s.status}, version = version + 1, state = ${json(s.state)}::jsonb,
        last_seq = ${s.last_seq}, wait_id = ${s.wait_id}::uuid, wait_expires_at = ${s.wait_expires_at}::timestamptz,
        error = ${s.error === null ? null : json(s.error)}::jsonb, reason = ${s.reason},
        trace = trace || ${json(s.trace)}::jsonb, active_ms = active_ms + ${s.active_ms},
        updated_at = ${args.now}::timestamptz, ended_at = ${s.ended_at}::timestamptz
      where id = ${args.id}::uuid and tenant_id = ${args.tenantId}::uuid
        and version = ${args.expectedVersion} and status = ${args.expectedStatus} ${claimed}
      returning ${RETURNING}
    )${itemsCte(args)}${waitCte(args)}
    select e.* from (select comerix_turn_guard(${sql.join(conditions, sql` and `)})) g cross join e`;
}

/**
 * Writes a turn: its one statement alone (autocommit: one round trip, no lock held across the engine), or, when the
 * turn has extras that must commit with it (goal hits, an async job, cancelling a superseded job), statement and
 * extras in one transaction. A failed condition becomes `TurnConflict`; nothing of the turn is left behind.
 */
export async function commitTurn(
  ctx: AppContext,
  statement: RawBuilder<ExecutionView>,
  extras?: (trx: Kysely<Database>) => Promise<void>,
): Promise<ExecutionView> {
  try {
    const rows = extras
      ? await ctx.kysely.transaction().execute(async (trx) => {
          const result = await statement.execute(trx);
          if (result.rows.length > 0) await extras(trx);
          return result.rows;
        })
      : (await statement.execute(ctx.kysely)).rows;
    if (!rows[0]) throw new TurnConflict();
    return rows[0];
  } catch (error) {
    throw TurnConflict.from(error);
  }
}
