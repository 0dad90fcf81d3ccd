import type { Block } from '../engine/blocks.js';
import type { Json } from '../engine/types.js';
import type { Field } from '../fields/types.js';
import { tokenUsageOf } from '../llm/tokenUsage.js';
import { waitToken } from '../security/derivedTokens.js';
import type { Secrets } from '../security/secrets.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { encodeCursor } from './cursor.js';

/** How often a widget should poll while the execution waits on async work (DESIGN §7). */
export const POLL_AFTER_MS = 1000;

export interface ExecutionView {
  id: string;
  conversation_id: string;
  status: string;
  version: number;
  last_seq: number;
  wait_id: string | null;
  wait_expires_at: Date | null;
  error: { [key: string]: Json } | null;
  reason: string | null;
  /** The current turn's LLM token usage (`tokenUsage` of the response), null when no LLM ran in the turn. */
  turn_usage?: Json | null;
}

export const executionViewColumns = [
  'id',
  'conversation_id',
  'status',
  'version',
  'last_seq',
  'wait_id',
  'wait_expires_at',
  'error',
  'reason',
  'turn_usage',
] as const;

/** An execution read back for a poll, stream or history: the view and what its wait asks for. */
export interface StoredExecution extends ExecutionView {
  wait_kind: 'input' | 'time' | null;
  wait_fields: Json[] | null;
  wait_resume_at: Date | null;
}

export const storedExecutionColumns = [...executionViewColumns, 'wait_kind', 'wait_fields', 'wait_resume_at'] as const;

/** The open wait, as the response shows it. */
export type WaitView = { kind: 'input'; fields: Field[] } | { kind: 'time'; resumeAt: Date | null };

/** The row a turn's conditional write will return if it applies: what its answer (and receipt) is built from. */
export function expectedRow(
  id: string,
  conversationId: string,
  version: number,
  outcome: Pick<ExecutionView, 'status' | 'last_seq' | 'wait_id' | 'wait_expires_at' | 'reason'> & {
    error: Json | null;
    turn_usage?: Json | null;
  },
): ExecutionView {
  return {
    id,
    conversation_id: conversationId,
    status: outcome.status,
    version,
    last_seq: outcome.last_seq,
    wait_id: outcome.wait_id,
    wait_expires_at: outcome.wait_expires_at,
    error: outcome.error as ExecutionView['error'],
    reason: outcome.reason,
    turn_usage: outcome.turn_usage ?? null,
  };
}

/** The one shape every turn reply, poll and stream `done` event is built from. */
export function turnResponse(
  secrets: Secrets,
  execution: ExecutionView,
  blocks: Block[],
  wait: WaitView | null,
): ChatTurnResponse {
  const response: ChatTurnResponse = {
    executionId: execution.id,
    conversationId: execution.conversation_id,
    status: execution.status as ChatTurnResponse['status'],
    blocks,
    cursor: encodeCursor({ seq: execution.last_seq, version: execution.version }),
  };
  if (execution.status === 'waiting_input' && execution.wait_id && wait?.kind === 'input') {
    response.waitToken = waitToken(secrets, execution.wait_id);
    response.wait = {
      type: 'input',
      fields: wait.fields,
      expiresAt: execution.wait_expires_at ? toSeconds(execution.wait_expires_at) : null,
    };
  }
  if (execution.status === 'waiting_time') {
    response.wait = {
      type: 'time',
      pollAfterMs: POLL_AFTER_MS,
      ...(wait?.kind === 'time' && wait.resumeAt ? { resumeAt: toSeconds(wait.resumeAt) } : {}),
    };
  }
  if (execution.status === 'failed' && execution.error) {
    response.error = { code: String(execution.error.code), message: String(execution.error.message) };
  }
  if (execution.status === 'aborted' && execution.reason) response.reason = execution.reason;
  const usage = tokenUsageOf(execution.turn_usage);
  if (usage) response.tokenUsage = usage;
  return response;
}

/** The wait view of a step that just ran, from the engine's result. */
export function waitViewOf(
  wait: { type: 'input'; fields: Field[] } | { type: 'time'; resumeAt?: string } | undefined,
): WaitView | null {
  if (!wait) return null;
  return wait.type === 'input'
    ? { kind: 'input', fields: wait.fields }
    : { kind: 'time', resumeAt: wait.resumeAt ? new Date(wait.resumeAt) : null };
}

/** RFC 3339 UTC to the second, like every timestamp of the public API. */
export function toSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
