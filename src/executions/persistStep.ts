import type { Kysely } from 'kysely';
import { newId } from '../db/newId.js';
import type { Database, TranscriptItem } from '../db/types.js';
import type { Block } from '../engine/blocks.js';
import type { HandoffEffect, JobRequest, Json, JsonObject, StepResult } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';
import type { Field } from '../fields/types.js';
import type { JobQueue } from '../jobs/JobQueue.js';
import type { WebhookSubscriptions } from '../webhooks/WebhookSubscriptions.js';
import { blockId } from './blockId.js';
import { insertGoalHits } from './store/insertGoalHits.js';
import { TRACE_LIMIT } from './traceLimit.js';

export const DEFAULT_WAIT_EXPIRY_SECONDS = 24 * 60 * 60;
export const CONTINUE_TASK = 'execution.continue';
/** Jobs of async nodes: the outbound client retries on its own, so the queue only retries infrastructure failures. */
export const CONTINUE_MAX_ATTEMPTS = 3;

/** What the worker needs to perform an async node's job and resume the execution after it. */
export interface ContinuePayload {
  tenantId: string;
  executionId: string;
  waitId: string;
  nodeId: string;
  request: JobRequest;
  /** `<executionId>:<nodeId>:<waitId>`: stable across retries, so merchants and task handlers can dedupe. */
  idempotencyKey: string;
}

export function continueJobKey(waitId: string): string {
  return `wait:${waitId}`;
}

/** The wait a step opened, as the execution row's `wait_*` columns keep it. */
export interface WaitRow {
  id: string;
  node_id: string;
  kind: 'input' | 'time';
  fields: Field[];
  submit_label: string | null;
  expires_at: Date | null;
  resume_at: Date | null;
}

/** The execution row's columns after a step: what both a new execution and an advanced one write. */
export interface TurnOutcome {
  status: string;
  state: Json;
  last_seq: number;
  /** The wait this step opened, or all null: an answered wait is consumed. */
  wait_id: string | null;
  wait_kind: 'input' | 'time' | null;
  wait_node_id: string | null;
  wait_fields: Field[] | null;
  wait_submit_label: string | null;
  wait_expires_at: Date | null;
  wait_resume_at: Date | null;
  error: Json | null;
  reason: string | null;
  /** This step's newest trace entries, at most TRACE_LIMIT (appended to the execution's trace, which keeps as many). */
  trace: Json[];
  /** This step's entries that did not fit in TRACE_LIMIT (a long loop within one turn), added to `trace_dropped`. */
  trace_dropped: number;
  /** Running time of this step, added to the execution's. */
  active_ms: number;
  /** The turn's LLM token usage so far (src/llm/tokenUsage.ts), or null: a new turn, or no LLM ran in it. */
  turn_usage?: Json | null;
  ended_at: Date | null;
}

export interface StepPlan {
  blocks: Block[];
  lastSeq: number;
  waitId: string | null;
  waitExpiresAt: Date | null;
  resumeAt: Date | null;
  /** The turn's transcript entries in order: the user's item (if any) first, then the blocks. */
  items(userItem?: JsonObject): TranscriptItem[];
  wait: WaitRow | null;
  /** The execution row's new columns. */
  outcome(activeMs: number): TurnOutcome;
  /**
   * The rare extras — goal hits, the async job — written after the turn's row in the same transaction; undefined
   * when the step produced none, so the turn can be one autocommit statement.
   */
  extras: ((trx: Kysely<Database>) => Promise<void>) | undefined;
  /** The step enqueued an async node's job (the worker should look now). */
  enqueuesJob: boolean;
  /** A `handoff` node ran this turn (the executions layer emits `chat.handoff.requested`). */
  handoff: HandoffEffect | undefined;
}

/**
 * Turns what one engine step produced — blocks (numbered after the execution's last sequence number), the new wait,
 * goal hits, the job of an async node — into rows, written by `commitTurn` together (one statement, plus the extras
 * in the same transaction), so a job exists exactly when its state committed.
 */
export function planStep(args: {
  tenantId: string;
  conversationId: string;
  executionId: string;
  lastSeq: number;
  flow: FlowDefinition;
  result: StepResult;
  now: Date;
  jobs: JobQueue;
  /** For the `goal.reached` events of the step's goal hits. */
  webhooks: WebhookSubscriptions;
}): StepPlan {
  const { tenantId, conversationId, executionId, result, now } = args;
  const blocks = result.blocks.map((body, i) => ({ id: blockId(executionId, args.lastSeq + i + 1), ...body }) as Block);
  const seconds = args.flow.settings?.waitExpiresSeconds ?? DEFAULT_WAIT_EXPIRY_SECONDS;
  const wait = result.wait;
  const waiting =
    (result.status === 'waiting_input' && wait?.type === 'input') ||
    (result.status === 'waiting_time' && wait?.type === 'time');
  const waitId = waiting ? newId() : null;
  const waitExpiresAt = waiting && wait?.type === 'input' ? new Date(now.getTime() + seconds * 1000) : null;
  const resumeAt = wait?.type === 'time' && wait.resumeAt ? new Date(wait.resumeAt) : null;
  const goals = result.effects.filter((e) => e.type === 'goal');
  const job = result.status === 'waiting_time' ? result.effects.find((e) => e.type === 'job') : undefined;
  const handoff = result.status === 'completed' ? result.effects.find((e) => e.type === 'handoff') : undefined;
  const waitRow: WaitRow | null =
    waitId && wait
      ? {
          id: waitId,
          node_id: wait.nodeId,
          kind: wait.type,
          fields: wait.type === 'input' ? wait.fields : [],
          submit_label: wait.type === 'input' ? (wait.submitLabel ?? null) : null,
          expires_at: waitExpiresAt,
          resume_at: resumeAt,
        }
      : null;

  const extras = async (trx: Kysely<Database>) => {
    if (goals.length > 0) {
      await insertGoalHits(
        trx,
        args.webhooks,
        goals.map((g) => ({
          tenant_id: tenantId,
          conversation_id: conversationId,
          execution_id: executionId,
          goal: g.goal,
          node_id: g.nodeId,
          created_at: now,
        })),
      );
    }
    if (job && waitId) {
      const payload: ContinuePayload = {
        tenantId,
        executionId,
        waitId,
        nodeId: job.nodeId,
        request: job.job,
        idempotencyKey: `${executionId}:${job.nodeId}:${waitId}`,
      };
      await args.jobs.enqueue(trx, {
        task: CONTINUE_TASK,
        payload: payload as unknown as Json,
        jobKey: continueJobKey(waitId),
        maxAttempts: CONTINUE_MAX_ATTEMPTS,
        ...(job.runAt ? { runAt: new Date(job.runAt) } : {}),
      });
    }
  };
  const items = (userItem?: JsonObject): TranscriptItem[] => [
    ...(userItem ? [{ role: 'user' as const, body: userItem }] : []),
    ...blocks.map((block, i) => ({ role: 'bot' as const, seq: args.lastSeq + i + 1, body: block })),
  ];
  const ended = result.status === 'completed' || result.status === 'failed' || result.status === 'aborted';
  // One turn may run up to 1,000 steps; only the newest TRACE_LIMIT can be kept anyway, so only those are sent.
  const traceDropped = Math.max(0, result.trace.length - TRACE_LIMIT);
  const outcome = (activeMs: number): TurnOutcome => ({
    status: result.status,
    state: result.state as unknown as JsonObject,
    last_seq: args.lastSeq + blocks.length,
    wait_id: waitRow?.id ?? null,
    wait_kind: waitRow?.kind ?? null,
    wait_node_id: waitRow?.node_id ?? null,
    wait_fields: waitRow?.fields ?? null,
    wait_submit_label: waitRow?.submit_label ?? null,
    wait_expires_at: waitRow?.expires_at ?? null,
    wait_resume_at: waitRow?.resume_at ?? null,
    error: result.error ? (result.error as unknown as JsonObject) : null,
    reason: result.reason ?? null,
    trace: result.trace.slice(traceDropped) as unknown as Json[],
    trace_dropped: traceDropped,
    active_ms: Math.round(activeMs),
    turn_usage: null,
    ended_at: ended ? now : null,
  });
  return {
    blocks,
    lastSeq: args.lastSeq + blocks.length,
    waitId,
    waitExpiresAt,
    resumeAt,
    items,
    wait: waitRow,
    outcome,
    extras: goals.length > 0 || (job && waitId) ? extras : undefined,
    enqueuesJob: Boolean(job && waitId),
    handoff,
  };
}
