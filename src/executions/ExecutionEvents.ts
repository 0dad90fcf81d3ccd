import { EventEmitter } from 'node:events';
import pg from 'pg';

export const EXECUTION_CHANNEL = 'comerix_executions';
export const KEYS_CHANNEL = 'comerix_keys';
export const FLOWS_CHANNEL = 'comerix_flows';
const FLOWS_EVENT = Symbol('flows');
const KEYS_EVENT = Symbol('keys');
/** Emitted after a LISTEN reconnect: every watcher re-reads, since notifications may have been missed. */
const ANY_EVENT = Symbol('any');

/**
 * Notification that an execution changed (new blocks or status), so long polls and streams wake at once instead of
 * polling the database. In one process the services call `changed`; across processes on PostgreSQL every change
 * sends `pg_notify` in its transaction and each process LISTENs (delivered on commit).
 */
export class ExecutionEvents {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  changed(executionId: string): void {
    this.emitter.emit(executionId);
  }

  /** Widget keys changed somewhere (created, revoked): caches of key data must be dropped. */
  keysChanged(): void {
    this.emitter.emit(KEYS_EVENT);
  }

  onKeysChanged(listener: () => void): void {
    this.emitter.on(KEYS_EVENT, listener);
  }

  /** A flow was published or unpublished somewhere: cached published intents must be dropped. */
  flowsChanged(): void {
    this.emitter.emit(FLOWS_EVENT);
  }

  onFlowsChanged(listener: () => void): void {
    this.emitter.on(FLOWS_EVENT, listener);
  }

  /** Subscribes to changes made by other processes; reconnects if the connection drops. */
  async listenPostgres(connectionString: string): Promise<void> {
    const connect = async () => {
      const client = new pg.Client({ connectionString });
      client.on('notification', (msg) => {
        if (msg.channel === EXECUTION_CHANNEL && msg.payload) this.changed(msg.payload);
        if (msg.channel === KEYS_CHANNEL) this.keysChanged();
        if (msg.channel === FLOWS_CHANNEL) this.flowsChanged();
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
        await client.query(`listen ${EXECUTION_CHANNEL}; listen ${KEYS_CHANNEL}; listen ${FLOWS_CHANNEL}`);
      } catch (error) {
        client.end().catch(() => {});
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      // Anything may have changed while we were not listening.
      this.emitter.emit(ANY_EVENT);
      this.keysChanged();
      this.flowsChanged();
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

export interface ExecutionWatcher {
  /** Resolves `true` as soon as the execution changed since the previous call (or the watch began), else at timeout. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}
