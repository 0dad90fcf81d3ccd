import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { AppContext } from '../../app/AppContext.js';
import { json } from '../../db/json.js';
import type { Database, TranscriptItem } from '../../db/types.js';
import type { JsonObject } from '../../engine/types.js';
import type { TurnOutcome } from '../persistStep.js';
import { TurnConflict } from '../TurnConflict.js';
import { TRACE_LIMIT, TRACE_TAIL } from '../traceLimit.js';
import type { ExecutionView } from '../turnResponse.js';

// A turn's writes — the execution row (with its wait), its transcript row, the superseded execution, changed
// conversation variables — go to the database as ONE statement of data-modifying CTEs, conditional on
// the state the turn read. No lock is held while the engine runs: when any condition failed (a concurrent turn got
// there first), `comerix_turn_guard` aborts the whole statement with SQLSTATE CX409, nothing is written, and the
// caller re-reads and runs the turn again (`TurnConflict`).

const RETURNING = sql`id, conversation_id, status, version, last_seq, wait_id, wait_expires_at, error, reason, turn_usage`;

interface Common {
  tenantId: string;
  conversationId: string;
  /** The turn's transcript entries, written as one `chat_turns` row. */
  items: TranscriptItem[];
  now: Date;
  /** New conversation variables, written only if the row still holds the ones the turn read. */
  variables?: { read: JsonObject; write: JsonObject };
  /**
   * Variables the turn ran with but does not change, which the conversation must still hold: set when they came from
   * the `ConversationCache` rather than a read.
   */
  expectVariables?: JsonObject;
  /**
   * The request's finished idempotency record (an UPDATE of one row while the request still owns it): written by this
   * same statement, so the turn and its recorded answer commit together or not at all.
   */
  receipt?: RawBuilder<unknown>;
  /**
   * The turn's webhook events (`webhookEventsCte`: `, wh_ev as (…), wh_del as (…)`), written by this same statement
   * only along with the execution row; absent for a tenant without webhooks.
   */
  outbox?: RawBuilder<unknown> | undefined;
}

/**
 * What a turn's write checks of the conversation's variables: when the request changed them, the new ones, written
 * only over the ones the turn read; otherwise, when the turn ran on variables from the `ConversationCache`, those,
 * which the row must still hold. A turn that read them from the database and changed nothing checks nothing.
 */
export function variablesCondition(
  read: JsonObject,
  written: JsonObject | undefined,
  cached: boolean,
): Pick<Common, 'variables' | 'expectVariables'> {
  if (written !== undefined) return { variables: { read, write: written } };
  return cached ? { expectVariables: read } : {};
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

function receiptCte(args: Common): RawBuilder<unknown> {
  return args.receipt ? sql`, r as (${args.receipt} returning 1)` : sql``;
}

/** Fails the statement with CX412 (not the retried CX409) when the request no longer owns its idempotency record. */
function receiptGuard(args: Common): RawBuilder<unknown> {
  return args.receipt ? sql`, comerix_receipt_guard((select count(*) from r) = 1)` : sql``;
}

/** The turn's transcript row, with the engine time of the turn (`durationMs`) for the median turn latency. */
function itemsCte(args: Common, durationMs: number): RawBuilder<unknown> {
  if (args.items.length === 0) return sql``;
  const seqs = args.items.flatMap((item) => (item.role === 'bot' ? [item.seq] : []));
  return sql`, items as (
    insert into chat_turns (tenant_id, conversation_id, execution_id, first_seq, last_seq, items, duration_ms, created_at)
    select ${args.tenantId}::uuid, ${args.conversationId}::uuid, e.id, ${seqs[0] ?? null}::int, ${seqs.at(-1) ?? null}::int,
      ${json(args.items)}::jsonb, ${Math.max(0, Math.round(durationMs))}::int, ${args.now}::timestamptz
    from e
    returning 1
  )`;
}

/** The conversation's open execution a new trigger aborts, as the trigger read it. */
export interface Superseded {
  id: string;
  status: string;
  version: number;
  /** Its wait: the job of a time wait is cancelled with it. */
  waitId: string | null;
}

/** The open execution gives way, if it is still in the state the trigger read; its wait goes with its status. */
function supersedeCte(args: Common, s: Superseded | null): RawBuilder<unknown> {
  if (!s) return sql``;
  return sql`sup as (
    update executions set status = 'aborted', reason = 'superseded', version = version + 1,
      updated_at = ${args.now}::timestamptz, ended_at = ${args.now}::timestamptz
    where id = ${s.id}::uuid and tenant_id = ${args.tenantId}::uuid and version = ${s.version} and status = ${s.status}
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
      /** Run by an admin test session: never counted in analytics. */
      test?: boolean;
    } & TurnOutcome;
  },
): RawBuilder<ExecutionView> {
  const r = args.row;
  const conditions = [
    ...(checksVariables(args) ? [sql`(select count(*) from vars) = 1`] : []),
    ...(args.supersede ? [sql`(select count(*) from sup) = 1`] : []),
  ];
  // The guard runs (and with it the supersede) before the insert, which the unique open-execution index checks.
  const guarded = conditions.length > 0 || args.receipt !== undefined;
  const guard = guarded
    ? sql`g as (select comerix_turn_guard(${conditions.length > 0 ? sql.join(conditions, sql` and `) : sql`true`})${receiptGuard(args)}), `
    : sql``;
  return sql<ExecutionView>`
    with ${variablesCte(args)}${supersedeCte(args, args.supersede)}${args.receipt ? sql`r as (${args.receipt} returning 1), ` : sql``}${guard}e as (
      insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id, intent_name, status,
        version, state, last_seq, wait_id, wait_kind, wait_node_id, wait_fields, wait_submit_label, wait_expires_at,
        wait_resume_at, error, reason, trace, trace_dropped, active_ms, created_at, updated_at, ended_at, test)
      select ${r.id}::uuid, ${args.tenantId}::uuid, ${args.conversationId}::uuid, ${r.session_id}::uuid, ${r.flow_id}::uuid,
        ${r.flow_version_id}::uuid, ${r.intent_name}, ${r.status}, 1, ${json(r.state)}::jsonb, ${r.last_seq}, ${r.wait_id}::uuid,
        ${r.wait_kind}, ${r.wait_node_id}, ${r.wait_fields === null ? null : json(r.wait_fields)}::jsonb, ${r.wait_submit_label},
        ${r.wait_expires_at}::timestamptz, ${r.wait_resume_at}::timestamptz, ${r.error === null ? null : json(r.error)}::jsonb,
        ${r.reason}, ${json(r.trace)}::jsonb, ${r.trace_dropped}, ${r.active_ms}, ${args.now}::timestamptz, ${args.now}::timestamptz,
        ${r.ended_at}::timestamptz, ${r.test ?? false}
      ${guarded ? sql`from g` : sql``}
      returning ${RETURNING}
    )${itemsCte(args, r.active_ms)}${args.outbox ?? sql``}
    select e.* from e`;
}

/**
 * The outcome of a step on a waiting execution, conditional on the version and status it read and, when given, on the
 * wait it answered still being the execution's, unexpired: the update consumes that wait (replaces it with the step's
 * next wait, or clears it), so of two answers to one wait exactly one applies.
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
  const claimed = args.claimWaitId
    ? sql`and wait_id = ${args.claimWaitId}::uuid and (wait_expires_at is null or wait_expires_at > ${args.now}::timestamptz)`
    : sql``;
  const conditions = [
    sql`exists (select 1 from e)`,
    ...(checksVariables(args) ? [sql`(select count(*) from vars) = 1`] : []),
  ];
  return sql<ExecutionView>`
    with ${variablesCte(args)}e as (
      update executions set status = ${s.status}, version = version + 1, state = ${json(s.state)}::jsonb,
        last_seq = ${s.last_seq}, wait_id = ${s.wait_id}::uuid, wait_kind = ${s.wait_kind}, wait_node_id = ${s.wait_node_id},
        wait_fields = ${s.wait_fields === null ? null : json(s.wait_fields)}::jsonb, wait_submit_label = ${s.wait_submit_label},
        wait_expires_at = ${s.wait_expires_at}::timestamptz, wait_resume_at = ${s.wait_resume_at}::timestamptz,
        error = ${s.error === null ? null : json(s.error)}::jsonb, reason = ${s.reason},
        ${traceSet(s)}, active_ms = active_ms + ${s.active_ms},
        turn_usage = ${s.turn_usage == null ? null : json(s.turn_usage)}::jsonb,
        updated_at = ${args.now}::timestamptz, ended_at = ${s.ended_at}::timestamptz
      where id = ${args.id}::uuid and tenant_id = ${args.tenantId}::uuid
        and version = ${args.expectedVersion} and status = ${args.expectedStatus} ${claimed}
      returning ${RETURNING}
    )${itemsCte(args, s.active_ms)}${receiptCte(args)}${args.outbox ?? sql``}
    select e.* from (select comerix_turn_guard(${sql.join(conditions, sql` and `)})${receiptGuard(args)}) g cross join e`;
}

/**
 * Appends a step's trace entries, keeping the newest TRACE_LIMIT and counting the rest in `trace_dropped` (both
 * expressions read the row's old `trace`). Concatenating is all most turns pay; only a trace over the limit is sliced.
 * The step's entries are already at most TRACE_LIMIT (planStep), so what it dropped itself is added as a number.
 */
function traceSet(s: TurnOutcome): RawBuilder<unknown> {
  const entries = json(s.trace);
  const length = s.trace.length;
  return sql`trace = case when jsonb_array_length(trace) + ${length}::int <= ${sql.lit(TRACE_LIMIT)} then trace || ${entries}::jsonb
      else jsonb_path_query_array(trace || ${entries}::jsonb, ${TRACE_TAIL}) end,
    trace_dropped = trace_dropped + ${s.trace_dropped}::int
      + greatest(0, jsonb_array_length(trace) + ${length}::int - ${sql.lit(TRACE_LIMIT)})`;
}

/**
 * Writes a turn: its one statement alone (autocommit: one round trip, no lock held across the engine), or, when the
 * turn has extras that must commit with it (goal hits, an async job, cancelling a superseded job, webhook events), statement and
 * extras in one transaction. A failed condition becomes `TurnConflict`; nothing of the turn is left behind.
 */
export async function commitTurn(
  ctx: AppContext,
  statement: RawBuilder<ExecutionView>,
  extras?: (trx: Kysely<Database>, row: ExecutionView) => Promise<void>,
): Promise<ExecutionView> {
  try {
    const rows = extras
      ? await ctx.kysely.transaction().execute(async (trx) => {
          const result = await statement.execute(trx);
          if (result.rows[0]) await extras(trx, result.rows[0]);
          return result.rows;
        })
      : (await statement.execute(ctx.kysely)).rows;
    if (!rows[0]) throw new TurnConflict();
    return rows[0];
  } catch (error) {
    throw TurnConflict.from(error);
  }
}
