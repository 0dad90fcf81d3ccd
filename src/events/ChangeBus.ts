import { EventEmitter } from 'node:events';
import pg from 'pg';

export const EXECUTION_CHANNEL = 'comerix_executions';
/** LLM text deltas (DESIGN §6): `<executionId>\n<blockId>\n<text>`, never stored. */
export const TOKENS_CHANNEL = 'comerix_tokens';
/** A NOTIFY payload must stay under 8000 bytes; deltas are split below this (UTF-8 bytes, whole code points). */
const MAX_TOKEN_PAYLOAD_BYTES = 7_900;
/** Everything but execution ids: the payload is the topic's name. */
export const TOPICS_CHANNEL = 'comerix_changes';

/**
 * What else changes rarely and is cached in every process: widget keys, published flows, sessions (revocations),
 * published widget settings (each tenant's edge document), webhook endpoints (the subscription map). A listener
 * drops what it cached; the next read refills it.
 */
export type ChangeTopic = 'keys' | 'flows' | 'sessions' | 'settings' | 'webhooks';
const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['keys', 'flows', 'sessions', 'settings', 'webhooks']);
/** Every change of an existing execution, with its id (`undefined`: maybe all of them). */
const CHANGED_EVENT = Symbol('changed');
/** Emitted after a LISTEN reconnect: every watcher re-reads, since notifications may have been missed. */
const ANY_EVENT = Symbol('any');

/** Most execution ids in one NOTIFY payload (8000 bytes at most; an id and its comma take 37). */
const IDS_PER_NOTIFY = 200;
/** Announcements kept while the connection is down; past this, one "anything changed" is sent instead. */
const MAX_PENDING = 10_000;
const EVERYTHING = '*';
/**
 * Ids gather this long before a NOTIFY goes out. Each NOTIFY is a transaction of its own; sent as soon as the last
 * returned, they came to one per two turns under load (~850 transactions a second beside ~1,700 turns). Waiting a
 * few ms makes it ~200 a second at most, for a few ms more before another process's long poll wakes.
 */
const BATCH_WINDOW_MS = 5;

/**
 * The one change bus (DESIGN §2): "keys / flows / sessions / execution X changed", in this process and, on
 * PostgreSQL, in every other one through LISTEN/NOTIFY, so caches drop what changed and long polls and streams wake
 * at once instead of polling the database.
 *
 * Executions change on every turn, so their ids are batched; other topics are rare and go out at once. The services call `changed` after their write committed; on PostgreSQL the ids also go to
 * every other process through NOTIFY on this process's LISTEN connection — batched (ids of the same few ms, and
 * those sent while a NOTIFY is in flight, go together), and outside the turns' own transactions, because a NOTIFY in
 * a transaction holds a database-wide lock through its commit and would queue every turn's commit behind the others.
 */
export class ChangeBus {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** PostgreSQL: ids to announce to the other processes, and whether a NOTIFY is in flight. */
  private announcing = false;
  private readonly pending = new Set<string>();
  private overflowed = false;
  private crossProcess = false;
  private backendPid: number | undefined;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** An execution changed in this process (committed): wake local watchers and tell the other processes. */
  changed(executionId: string): void {
    this.emitter.emit(executionId);
    this.emitter.emit(CHANGED_EVENT, executionId);
    if (this.crossProcess) this.queueExecution(executionId);
  }

  /**
   * A new execution was created. Nobody can be watching it in another process yet — its id leaves this process only
   * in the reply to the turn that created it — so only local watchers (the turn's own stream) are woken.
   */
  created(executionId: string): void {
    this.emitter.emit(executionId);
  }

  private queueExecution(executionId: string, send = true): void {
    if (this.pending.size >= MAX_PENDING) {
      this.pending.clear();
      this.overflowed = true;
    }
    if (!this.overflowed) this.pending.add(executionId);
    if (send) void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.announcing) return;
    this.announcing = true;
    let inFlight: string[] = [];
    try {
      while (this.client && (this.pending.size > 0 || this.overflowed)) {
        await new Promise((resolve) => setTimeout(resolve, BATCH_WINDOW_MS));
        if (!this.client) break;
        let payload = EVERYTHING;
        if (this.overflowed) {
          this.overflowed = false;
          this.pending.clear();
          inFlight = [EVERYTHING];
        } else {
          inFlight = [...this.pending].slice(0, IDS_PER_NOTIFY);
          for (const id of inFlight) this.pending.delete(id);
          payload = inFlight.join(',');
        }
        await this.client.query('select pg_notify($1, $2)', [EXECUTION_CHANNEL, payload]);
        inFlight = [];
      }
    } catch {
      // The connection dropped: the batch that failed goes out again after the reconnect, with the rest.
      if (inFlight[0] === EVERYTHING) this.overflowed = true;
      else for (const id of inFlight) this.queueExecution(id, false);
    } finally {
      this.announcing = false;
    }
  }

  /**
   * LLM text deltas of an execution's block (not stored): to this process's streams at once and, on PostgreSQL, to
   * every other process's, in order, before any later change announcement of the same execution.
   */
  tokens(executionId: string, blockId: string, delta: string): void {
    if (delta === '') return;
    this.emitter.emit(tokenEvent(executionId), { blockId, delta });
    if (!this.crossProcess || !this.client) return;
    const head = `${executionId}\n${blockId}\n`;
    for (const chunk of splitUtf8(delta, MAX_TOKEN_PAYLOAD_BYTES - Buffer.byteLength(head))) {
      // pg.Client sends queries in call order: these go out before a later NOTIFY of the execution's change.
      this.client.query('select pg_notify($1, $2)', [TOKENS_CHANNEL, head + chunk]).catch(() => {});
    }
  }

  /** Text deltas of an execution, from this process or another; returns the unsubscribe function. */
  onTokens(executionId: string, listener: (token: { blockId: string; delta: string }) => void): () => void {
    const event = tokenEvent(executionId);
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  private receiveTokens(payload: string): void {
    const first = payload.indexOf('\n');
    const second = payload.indexOf('\n', first + 1);
    if (first < 0 || second < 0) return;
    const executionId = payload.slice(0, first);
    this.emitter.emit(tokenEvent(executionId), {
      blockId: payload.slice(first + 1, second),
      delta: payload.slice(second + 1),
    });
  }

  /** Changes announced by another process. */
  private receive(payload: string): void {
    if (payload === EVERYTHING) {
      this.emitter.emit(ANY_EVENT);
      this.emitter.emit(CHANGED_EVENT, undefined);
      return;
    }
    for (const id of payload.split(',')) {
      if (!id) continue;
      this.emitter.emit(id);
      this.emitter.emit(CHANGED_EVENT, id);
    }
  }

  /** Every change of an existing execution, here or announced by another process (`undefined`: maybe all of them). */
  onChanged(listener: (executionId: string | undefined) => void): void {
    this.emitter.on(CHANGED_EVENT, listener);
  }

  /**
   * `topic` changed (committed): drops caches here and, on PostgreSQL, in every other process. Resolves once the
   * other processes have been told (or at once when there are none), so a CLI command that returns has taken effect.
   */
  async announce(topic: ChangeTopic): Promise<void> {
    this.emitter.emit(topic);
    if (this.client) await this.client.query('select pg_notify($1, $2)', [TOPICS_CHANNEL, topic]).catch(() => {});
  }

  /** A topic changed here or in another process (also after a LISTEN reconnect: anything may have changed). */
  on(topic: ChangeTopic, listener: () => void): void {
    this.emitter.on(topic, listener);
  }

  /** Subscribes to changes made by other processes; reconnects if the connection drops. */
  async listenPostgres(connectionString: string): Promise<void> {
    this.crossProcess = true;
    const connect = async () => {
      const client = new pg.Client({ connectionString });
      client.on('notification', (msg) => {
        // Our own announcements come back too: local watchers already woke.
        if (msg.channel === EXECUTION_CHANNEL && msg.payload && msg.processId !== this.backendPid) {
          this.receive(msg.payload);
        }
        if (msg.channel === TOKENS_CHANNEL && msg.payload && msg.processId !== this.backendPid) {
          this.receiveTokens(msg.payload);
        }
        // Our own announcements come back too: this process already acted on them.
        if (
          msg.channel === TOPICS_CHANNEL &&
          msg.payload &&
          TOPICS.has(msg.payload) &&
          msg.processId !== this.backendPid
        )
          this.emitter.emit(msg.payload);
      });
      let lost = false;
      client.on('error', () => {
        if (lost || this.closed) return;
        lost = true;
        this.client = undefined;
        client.end().catch(() => {});
        this.reconnect(connect, 1);
      });
      try {
        await client.connect();
        // A NOTIFY is a transaction of its own; it need not wait for its commit to reach the disk (a notification
        // is not durable anyway, and the change it announces already is): no fsync per announcement.
        await client.query(
          `set synchronous_commit = off; listen ${EXECUTION_CHANNEL}; listen ${TOPICS_CHANNEL}; listen ${TOKENS_CHANNEL}`,
        );
      } catch (error) {
        client.end().catch(() => {});
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.backendPid = (client as unknown as { processID?: number }).processID;
      void this.flush();
      // Anything may have changed while we were not listening.
      this.emitter.emit(ANY_EVENT);
      for (const topic of TOPICS) this.emitter.emit(topic);
    };
    await connect();
  }

  /** Retries with backoff (1 s doubling to 30 s) until connected or closed. */
  private reconnect(connect: () => Promise<void>, attempt: number): void {
    if (this.closed) return;
    const delay = Math.min(30_000, 1000 * 2 ** (attempt - 1));
    this.retryTimer = setTimeout(() => {
      connect().catch(() => this.reconnect(connect, attempt + 1));
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => {});
  }

  /**
   * Starts listening before the caller reads the execution, so a change that lands between the read and the wait
   * is not lost: `wait` returns at once when anything changed since the last call.
   */
  watch(executionId: string): ExecutionWatcher {
    let dirty = false;
    let wake: (() => void) | undefined;
    const listener = () => {
      dirty = true;
      wake?.();
    };
    this.emitter.on(executionId, listener);
    this.emitter.on(ANY_EVENT, listener);
    return {
      wait: async (timeoutMs, signal) => {
        if (!dirty && !signal?.aborted) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', done);
              wake = undefined;
              resolve();
            };
            const timer = setTimeout(done, Math.max(0, timeoutMs));
            signal?.addEventListener('abort', done);
            wake = done;
          });
        }
        const changed = dirty;
        dirty = false;
        return changed;
      },
      close: () => {
        this.emitter.off(executionId, listener);
        this.emitter.off(ANY_EVENT, listener);
      },
    };
  }
}

function tokenEvent(executionId: string): string {
  return `tokens:${executionId}`;
}

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, never inside a code point. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let current = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) {
      pieces.push(current);
      current = '';
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

export interface ExecutionWatcher {
  /** Resolves `true` as soon as the execution changed since the previous call (or the watch began), else at timeout. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}
