import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';

export interface JobSpec {
  task: string;
  payload: Json;
  runAt?: Date;
  /** At most one pending job per key: enqueueing the same key again replaces the pending one. */
  jobKey?: string;
  maxAttempts?: number;
}

export interface JobMeta {
  attempt: number;
  maxAttempts: number;
  jobKey: string | null;
}

/** A handler may run more than once for one job (at-least-once): it must be idempotent. Throwing retries the job. */
export type JobHandler = (payload: Json, meta: JobMeta) => Promise<void>;

export interface WorkerOptions {
  concurrency?: number;
  /** Called when a handler fails (before its retry is scheduled). */
  onError?: (task: string, error: unknown, meta: JobMeta) => void;
  /** Called as a job starts, with how long it waited past the time it was due (metrics). */
  onPickup?: (task: string, seconds: number) => void;
}

/**
 * The one queue interface: graphile-worker on PostgreSQL, a jobs table worked in-process on PGlite. Jobs are enqueued
 * inside the caller's transaction, so a job exists exactly when the state change that caused it committed.
 */
export interface JobQueue {
  readonly kind: 'graphile' | 'table';
  /** Installs the queue's own schema if it has one (idempotent). */
  prepare(): Promise<void>;
  enqueue(db: Kysely<Database>, job: JobSpec): Promise<void>;
  /** Removes a pending (not running) job by key; a no-op when there is none. */
  cancel(db: Kysely<Database>, jobKey: string): Promise<void>;
  /** A hint after commit that new work may be ready (in-process runners poll less with it). */
  wake(): void;
  start(handlers: Record<string, JobHandler>, options?: WorkerOptions): Promise<void>;
  stop(): Promise<void>;
  /** Jobs not yet finished (queued, scheduled or running), for metrics and tests. */
  pending(): Promise<number>;
  /** Jobs due now and not yet picked up by any worker (the queue's backlog, for metrics). */
  waiting(): Promise<number>;
  /** Whether a job with this key is still queued, scheduled or running. */
  exists(jobKey: string): Promise<boolean>;
}
