import { pathToFileURL } from 'node:url';
import type { Json } from '../engine/types.js';

export interface TaskContext {
  tenantId: string;
  executionId: string;
  nodeId: string;
  /** Stable across retries of the same job: a handler with side effects dedupes on it (at-least-once delivery). */
  idempotencyKey: string;
  signal: AbortSignal;
}

/** A `task` node handler: takes the node's rendered input, returns what `saveAs` stores. Throwing fails the job. */
export type TaskHandler = (input: Json, context: TaskContext) => Promise<Json>;

/** A handler failure that retrying cannot fix (bad input): the execution fails at once instead of retrying. */
export class TaskInputError extends Error {
  override readonly name = 'TaskInputError';
  readonly retryable = false;
}

export class TaskRegistry {
  private readonly handlers = new Map<string, TaskHandler>();

  register(name: string, handler: TaskHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  get(name: string): TaskHandler | undefined {
    return this.handlers.get(name);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Registers every exported function of an operator's module (COMERIX_TASKS_MODULE) under its export name. */
  async loadModule(path: string): Promise<void> {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const exported = (mod.default && typeof mod.default === 'object' ? mod.default : mod) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(exported)) {
      if (typeof fn === 'function') this.register(name, fn as TaskHandler);
    }
  }
}
