import { LRUCache } from 'lru-cache';
import type { JsonObject } from '../engine/types.js';
import type { Field } from '../fields/types.js';
import type { WaitRow } from './persistStep.js';
import type { ExecutionView } from './turnResponse.js';

type OpenRow = Pick<ExecutionView, 'id' | 'status' | 'version' | 'last_seq' | 'wait_id'>;

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
  /** Its open execution, waiting for input. */
  open: CachedExecution;
}

/**
 * What an entry costs beyond its JSON text — the object, its ids, the LRU's bookkeeping — measured with the demo
 * flows' state (~1.1 KB in all per entry), so `maxBytes` bounds the heap the cache really takes.
 */
const ENTRY_OVERHEAD = 950;

interface Stored {
  tenantId: string;
  customerId: string;
  variables: string;
  open: {
    id: string;
    status: string;
    version: number;
    lastSeq: number;
    flowVersionId: string;
    state: string;
    wait: { id: string; kind: 'input' | 'time'; nodeId: string; expiresAt: number | null; fields: string };
  };
}

/**
 * Conversations waiting for an answer, as this process's last turn of each wrote them, so the answer (or a trigger
 * that supersedes the wait) can skip the read and go straight to its one conditional write (like a sticky workflow
 * cache).
 * A hit is a guess, never trusted: the write stays conditional on the execution's version and status, on claiming its
 * open, unexpired wait, and on the conversation's variables, so when another process, the worker or the sweeper
 * changed anything meanwhile the write applies nothing, the entry is dropped and the turn reruns from a real read
 * (`retryTurn`). Change events drop entries early so that rerun is rare.
 */
export class ConversationCache {
  /** Open execution id → its conversation, to drop an entry when that execution changes elsewhere. */
  private readonly conversationOf = new Map<string, string>();
  private readonly entries: LRUCache<string, Stored> | undefined;

  /** `maxBytes` of heap at most (entries are stored as ids and JSON text, parsed again on a hit); 0 keeps nothing. */
  constructor(maxBytes: number) {
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, Stored>({
            maxSize: maxBytes,
            sizeCalculation: (e) =>
              ENTRY_OVERHEAD + e.variables.length + e.open.state.length + e.open.wait.fields.length,
            // Keeps conversationOf exactly as large as the cache: evicted, replaced and deleted entries leave it too.
            dispose: (e) => {
              this.conversationOf.delete(e.open.id);
            },
          })
        : undefined;
  }

  get(tenantId: string, conversationId: string): CachedConversation | undefined {
    const e = this.entries?.get(conversationId);
    if (e?.tenantId !== tenantId) return undefined;
    const open = e.open;
    return {
      tenantId: e.tenantId,
      customerId: e.customerId,
      variables: JSON.parse(e.variables) as JsonObject,
      open: {
        id: open.id,
        status: open.status,
        version: open.version,
        lastSeq: open.lastSeq,
        flowVersionId: open.flowVersionId,
        state: JSON.parse(open.state) as JsonObject,
        wait: {
          id: open.wait.id,
          kind: open.wait.kind,
          nodeId: open.wait.nodeId,
          expiresAt: open.wait.expiresAt === null ? null : new Date(open.wait.expiresAt),
          fields: JSON.parse(open.wait.fields) as Field[],
        },
      },
    };
  }

  /**
   * Keeps what a committed turn wrote when its execution now waits for input: the conversation's variables and
   * everything a resume of it reads. Otherwise (ended, waiting on async work, or still on a wait an earlier turn
   * wrote) the conversation is forgotten.
   */
  rememberTurn(
    conversation: { id: string; tenantId: string; customerId: string; variables: JsonObject },
    execution: { row: OpenRow; state: JsonObject; wait: WaitRow | null; flowVersionId: string },
  ): void {
    const entries = this.entries;
    if (!entries) return;
    const { row, wait } = execution;
    const { id } = conversation;
    // Only a conversation waiting for an answer is kept: its next turn is that answer, soon. Once nothing is open the
    // next turn may be hours away (and a miss costs one short read), and an execution waiting on async work is about
    // to be changed by the worker. Dropping those keeps a scan of many conversations from evicting the waiting ones.
    if (row.status !== 'waiting_input' || !wait || row.wait_id !== wait.id) {
      this.forget(id);
      return;
    }
    entries.set(id, {
      tenantId: conversation.tenantId,
      customerId: conversation.customerId,
      variables: JSON.stringify(conversation.variables),
      open: {
        id: row.id,
        status: row.status,
        version: row.version,
        lastSeq: row.last_seq,
        flowVersionId: execution.flowVersionId,
        state: JSON.stringify(execution.state),
        wait: {
          id: wait.id,
          kind: wait.kind,
          nodeId: wait.node_id,
          expiresAt: wait.expires_at?.getTime() ?? null,
          fields: JSON.stringify(wait.fields),
        },
      },
    });
    // An entry larger than the whole bound is not stored at all.
    if (entries.has(id)) this.conversationOf.set(row.id, id);
  }

  forget(conversationId: string): void {
    this.entries?.delete(conversationId);
  }

  /** An execution changed outside this process's turns (or anything did: `undefined`). */
  executionChanged(executionId: string | undefined): void {
    if (executionId === undefined) {
      this.entries?.clear();
      return;
    }
    const conversationId = this.conversationOf.get(executionId);
    if (conversationId !== undefined && this.entries?.peek(conversationId)?.open.id === executionId) {
      this.entries?.delete(conversationId);
    }
  }

  /** Entries held (for tests and diagnostics). */
  get size(): number {
    return this.entries?.size ?? 0;
  }
}
