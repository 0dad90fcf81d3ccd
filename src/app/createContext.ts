import type { Config } from '../config.js';
import { resealLegacyConnectionSecrets } from '../connections/resealLegacyConnectionSecrets.js';
import { migrate } from '../db/migrate.js';
import { type Db, openPglite, openPostgres } from '../db/openDatabase.js';
import { preparePrivateDataDir } from '../db/privateDataDir.js';
import { ChangeBus } from '../events/ChangeBus.js';
import { ConversationCache } from '../executions/ConversationCache.js';
import { FlowCache } from '../flows/FlowCache.js';
import { OriginPolicy } from '../http/cors.js';
import { StreamSlots } from '../http/limits/StreamSlots.js';
import { GraphileJobQueue } from '../jobs/GraphileJobQueue.js';
import type { JobQueue } from '../jobs/JobQueue.js';
import { TableJobQueue } from '../jobs/TableJobQueue.js';
import { Metrics } from '../metrics/Metrics.js';
import { EdgeCache } from '../reads/EdgeCache.js';
import { Secrets } from '../security/secrets.js';
import { SessionCache } from '../sessions/SessionCache.js';
import { DatabaseBlobStore } from '../uploads/DatabaseBlobStore.js';
import { DirectoryBlobStore } from '../uploads/DirectoryBlobStore.js';
import { UsageMeter } from '../usage/UsageMeter.js';
import { WebhookSubscriptions } from '../webhooks/WebhookSubscriptions.js';
import type { AppContext } from './AppContext.js';

/** Opens the configured database (PostgreSQL, or PGlite in the data dir), optionally migrating it. */
export async function openConfiguredDb(config: Config): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { preparedStatements: config.pgPreparedStatements });
  preparePrivateDataDir(config.dataDir);
  return openPglite({ dataDir: `${config.dataDir}/pglite` });
}

export async function createContext(config: Config, db: Db, options: { migrate?: boolean } = {}): Promise<AppContext> {
  if (options.migrate) await migrate(db.kysely);
  const secrets = new Secrets(config.masterKey());
  if (options.migrate) {
    const { resealed, unreadable } = await resealLegacyConnectionSecrets(db.kysely, secrets);
    // Shown once, at the start that upgrades; a count at any later start means a v1 ciphertext was written back.
    if (resealed > 0) {
      process.stderr.write(
        `comerix: re-sealed ${resealed} connection secret(s) to their base URL and auth settings (v2)\n`,
      );
    }
    if (unreadable > 0) {
      process.stderr.write(
        `comerix: ${unreadable} connection secret(s) do not open with this master key; those connections will fail until their secret is set again\n`,
      );
    }
  }
  const jobs: JobQueue =
    db.backend === 'postgres'
      ? new GraphileJobQueue(config.databaseUrl!, db.kysely, { staleAfterMs: config.jobLeaseMs })
      : new TableJobQueue(db.kysely, { leaseMs: config.jobLeaseMs });
  if (options.migrate) await jobs.prepare();
  const events = new ChangeBus();
  if (db.backend === 'postgres') await events.listenPostgres(config.databaseUrl!);
  const origins = new OriginPolicy(db.kysely);
  const sessions = new SessionCache();
  events.on('keys', () => {
    origins.invalidate();
    sessions.invalidate();
  });
  events.on('sessions', () => sessions.invalidate());
  const flowCache = new FlowCache();
  events.on('flows', () => flowCache.invalidate());
  const edge = new EdgeCache();
  events.on('settings', () => edge.invalidate());
  const conversations = new ConversationCache(config.conversationCacheBytes);
  const metrics = new Metrics();
  metrics.connect({ jobsWaiting: () => jobs.waiting(), ...(db.poolUse ? { poolUse: () => db.poolUse!() } : {}) });
  events.onChanged((executionId) => conversations.executionChanged(executionId));
  const webhooks = new WebhookSubscriptions(db.kysely);
  // Read before the first request; a database not migrated yet (the `migrate` command) simply has no endpoints.
  await webhooks.reload().catch(() => {});
  events.on('webhooks', () => void webhooks.reload().catch(() => {}));
  const shutdown = new AbortController();
  // Analytics reads may go to a replica; its pool closes with the process.
  const readDb = config.databaseReadUrl ? await openPostgres(config.databaseReadUrl, { max: 4 }) : undefined;
  if (readDb) shutdown.signal.addEventListener('abort', () => void readDb.close().catch(() => {}), { once: true });
  return {
    jobs,
    config,
    db,
    ...(readDb ? { readDb } : {}),
    kysely: db.kysely,
    secrets,
    events,
    origins,
    streams: new StreamSlots(config.streamsPerSession, config.streamsPerProcess),
    flowCache,
    sessions,
    conversations,
    metrics,
    edge,
    meter: new UsageMeter(db.kysely, config.usageMetering),
    blobs: config.uploadDir ? new DirectoryBlobStore(config.uploadDir) : new DatabaseBlobStore(db.kysely),
    webhooks,
    clock: () => new Date(),
    shutdown,
  };
}
