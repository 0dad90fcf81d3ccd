import { EventEmitter } from 'node:events';

/**
 * In-process notification that an execution changed (new blocks or status), so long polls and streams wake at
 * once instead of polling the database. Across processes the PostgreSQL backend feeds it from LISTEN/NOTIFY.
 */
export class ExecutionEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  changed(executionId: string): void {
    this.emitter.emit(executionId);
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
      const timer = setTimeout(() => done(false), timeoutMs);
      this.emitter.on(executionId, onChange);
      signal?.addEventListener('abort', onAbort);
    });
  }
}
