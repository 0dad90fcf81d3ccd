import { EventEmitter } from 'node:events';
import pg from 'pg';

export const EXECUTION_CHANNEL = 'comerix_executions';
export const KEYS_CHANNEL = 'comerix_keys';
const KEYS_EVENT = Symbol('keys');

/**
 * Notification that an execution changed (new blocks or status), so long polls and streams wake at once instead of
 * polling the database. In one process the services call `changed`; across processes on PostgreSQL every change
 * sends `pg_notify` in its transaction and each process LISTENs (delivered on commit).
 */
export class ExecutionEvents {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private closed = false;

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

  /** Subscribes to changes made by other processes; reconnects if the connection drops. */
  async listenPostgres(connectionString: string): Promise<void> {
    const connect = async () => {
      const client = new pg.Client({ connectionString });
      client.on('notification', (msg) => {
        if (msg.channel === EXECUTION_CHANNEL && msg.payload) this.changed(msg.payload);
        if (msg.channel === KEYS_CHANNEL) this.keysChanged();
      });
      client.on('error', () => {
        if (this.closed) return;
        this.client = undefined;
        setTimeout(() => void connect().catch(() => {}), 1000);
      });
      await client.connect();
      await client.query(`listen ${EXECUTION_CHANNEL}; listen ${KEYS_CHANNEL}`);
      this.client = client;
    };
    await connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }

  /** Resolves when the execution changes or the timeout passes, whichever is first; `true` if it changed. */
  waitForChange(executionId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.emitter.off(executionId, onChange);
        signal?.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onChange = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      this.emitter.on(executionId, onChange);
      signal?.addEventListener('abort', onAbort);
    });
  }
}
