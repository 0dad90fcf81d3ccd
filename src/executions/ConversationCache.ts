import { LRUCache } from 'lru-cache';
import { type JsonObject, OPEN_STATUSES } from '../engine/types.js';
import type { Field } from '../fields/types.js';
import type { WaitRow } from './persistStep.js';
import type { ExecutionView } from './turnResponse.js';

type OpenRow = Pick<ExecutionView, 'id' | 'status' | 'version' | 'last_seq' | 'wait_id'>;
const OPEN: ReadonlySet<string> = new Set(OPEN_STATUSES);

/** The open execution of a conversation, exactly as this process's last turn wrote it. */
export interface CachedExecution {
  id: string;
  status: string;
  version: number;
  state: JsonObject;
  lastSeq: number;
  flowVersionId: string;
  /** The wait for input it is in (only executions in `waiting_input` are kept). */
  wait: { id: string; kind: 'input' | 'time'; fields: Field[]; nodeId: string; expiresAt: Date | null };
}

/** What the next turn of a conversation reads before running the engine. */
export interface CachedConversation {
  tenantId: string;
  customerId: string;
  variables: JsonObject;
  /** The open execution, or null when none is open. */
  open: CachedExecution | null;
}

/** Entries are bounded by their JSON size; state and variables are small (variables ≤ 4 KB, DESIGN §4). */
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * The state a conversation's last turn in this process wrote, so its next turn — the visitor's answer to a form,
 * their next question — can skip the read and go straight to its one conditional write (like a sticky workflow cache).
 * A hit is a guess, never trusted: the write stays conditional on the execution's version and status (and the
 * conversation's variables), so when another process, the worker or the sweeper changed anything meanwhile the
 * write applies nothing, the entry is dropped and the turn reruns from a real read (`retryTurn`). Change events drop
 * entries early so that rerun is rare.
 */
export class ConversationCache {
  private readonly entries = new LRUCache<string, CachedConversation>({
    maxSize: MAX_BYTES,
    sizeCalculation: sizeOf,
  });
  /** Open execution id → its conversation, to drop an entry when that execution changes elsewhere. */
  private readonly conversationOf = new LRUCache<string, string>({ max: 100_000 });

  get(tenantId: string, conversationId: string): CachedConversation | undefined {
    const entry = this.entries.get(conversationId);
    return entry?.tenantId === tenantId ? entry : undefined;
  }

  remember(conversationId: string, entry: CachedConversation): void {
    this.entries.set(conversationId, entry);
    if (entry.open) this.conversationOf.set(entry.open.id, conversationId);
  }

  /**
   * Keeps what a committed turn wrote: the conversation's variables and, if the execution now waits for input,
   * everything a resume of it reads. An execution that is open otherwise (on async work), or whose wait this turn did
   * not write (it kept an earlier one), is not known well enough: the conversation is forgotten instead.
   */
  rememberTurn(
    conversation: { id: string; tenantId: string; customerId: string; variables: JsonObject },
    execution: { row: OpenRow; state: JsonObject; wait: WaitRow | null; flowVersionId: string },
  ): void {
    const { row, wait } = execution;
    const { id, ...entry } = conversation;
    if (!OPEN.has(row.status)) {
      this.remember(id, { ...entry, open: null });
      return;
    }
    // Only a wait for input is worth keeping: the worker is about to change an execution waiting on async work.
    if (row.status !== 'waiting_input' || !wait || row.wait_id !== wait.id) {
      this.forget(id);
      return;
    }
    this.remember(id, {
      ...entry,
      open: {
        id: row.id,
        status: row.status,
        version: row.version,
        state: execution.state,
        lastSeq: row.last_seq,
        flowVersionId: execution.flowVersionId,
        wait: {
          id: wait.id,
          kind: wait.kind,
          fields: wait.fields,
          nodeId: wait.node_id,
          expiresAt: wait.expires_at,
        },
      },
    });
  }

  forget(conversationId: string): void {
    this.entries.delete(conversationId);
  }

  /** An execution changed outside this process's turns (or anything did: `undefined`). */
  executionChanged(executionId: string | undefined): void {
    if (executionId === undefined) {
      this.entries.clear();
      this.conversationOf.clear();
      return;
    }
    const conversationId = this.conversationOf.get(executionId);
    if (conversationId === undefined) return;
    this.conversationOf.delete(executionId);
    if (this.entries.peek(conversationId)?.open?.id === executionId) this.entries.delete(conversationId);
  }
}

function sizeOf(entry: CachedConversation): number {
  const open = entry.open;
  const json = JSON.stringify(entry.variables).length;
  return 256 + json + (open ? JSON.stringify(open.state).length + JSON.stringify(open.wait.fields).length : 0);
}
