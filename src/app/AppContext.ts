import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Db } from '../db/openDatabase.js';
import type { Database } from '../db/types.js';
import type { ChangeBus } from '../events/ChangeBus.js';
import type { ConversationCache } from '../executions/ConversationCache.js';
import type { FlowCache } from '../flows/FlowCache.js';
import type { OriginPolicy } from '../http/cors.js';
import type { StreamSlots } from '../http/limits/StreamSlots.js';
import type { JobQueue } from '../jobs/JobQueue.js';
import type { Metrics } from '../metrics/Metrics.js';
import type { EdgeCache } from '../reads/EdgeCache.js';
import type { Secrets } from '../security/secrets.js';
import type { SessionCache } from '../sessions/SessionCache.js';
import type { BlobStore } from '../uploads/BlobStore.js';
import type { UsageMeter } from '../usage/UsageMeter.js';
import type { WebhookSubscriptions } from '../webhooks/WebhookSubscriptions.js';

/** Everything a service needs, built once at start and passed down (no module-level singletons). */
export interface AppContext {
  config: Config;
  db: Db;
  secrets: Secrets;
  /** The change bus: caches listen to it, long polls and streams wake on it. */
  events: ChangeBus;
  /** Origins any active key allows, for CORS preflights; invalidated when keys change. */
  origins: OriginPolicy;
  /** graphile-worker on PostgreSQL, the jobs table on PGlite. */
  jobs: JobQueue;
  /** Flow versions (immutable) and each tenant's published intents, kept off the hot path's queries. */
  flowCache: FlowCache;
  /** Authenticated sessions with their key, for a few seconds. */
  sessions: SessionCache;
  /** Conversations waiting for an answer, as this process's last turn wrote them: a guess the next write verifies. */
  conversations: ConversationCache;
  /** This process's Prometheus metrics (its own registry); see src/metrics/Metrics.ts for the functions to call. */
  metrics: Metrics;
  /** Each tenant's published edge document (quick questions, public config, form schemas), from memory. */
  edge: EdgeCache;
  /** Usage per key × day × kind, counted in memory and flushed in batches. */
  meter: UsageMeter;
  /** Uploaded bytes: the database, or COMERIX_UPLOAD_DIR. */
  blobs: BlobStore;
  /** Which tenant subscribed which webhook event types, in memory (the outbox asks it without a query). */
  webhooks: WebhookSubscriptions;
  /** The time, for rules that wait on it (admin account lockout): tests move it instead of sleeping. */
  clock: () => Date;
  /** Open SSE streams and long polls per session and in this process, capped (DESIGN §12). */
  streams: StreamSlots;
  /** Aborted when the process shuts down: long polls and streams end instead of holding the shutdown. */
  shutdown: AbortController;
  /** A read replica (DATABASE_READ_URL) analytics queries read rollups from; absent: `db`. */
  readDb?: Db;
  /** Shortcut for `db.kysely`. */

  kysely: Kysely<Database>;
}
