import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './migrations/0001_init.js';
import * as m0002 from './migrations/0002_jobs.js';
import * as m0003 from './migrations/0003_connections.js';
import * as m0004 from './migrations/0004_optimistic_turns.js';
import * as m0005 from './migrations/0005_tenant_scoped_keys.js';
import * as m0006 from './migrations/0006_waits_on_executions.js';
import * as m0007 from './migrations/0007_chat_turns.js';
import * as m0008 from './migrations/0008_idempotency_owner.js';
import * as m0009 from './migrations/0009_trace_dropped.js';
import * as m0010 from './migrations/0010_session_revocation.js';
import * as m0011 from './migrations/0011_telemetry.js';
import * as m0012 from './migrations/0012_secret_keys.js';
import * as m0013 from './migrations/0013_llm_calls.js';
import * as m0014 from './migrations/0014_forms_uploads.js';
import * as m0015 from './migrations/0015_published_reads.js';
import * as m0016 from './migrations/0016_webhooks.js';
import * as m0017 from './migrations/0017_admin.js';
import * as m0019 from './migrations/0019_privacy.js';
import * as m0020 from './migrations/0020_limits.js';
import * as m0021 from './migrations/0021_analytics.js';
import * as m0022 from './migrations/0022_reports.js';
import * as m0023 from './migrations/0023_analytics_marks.js';

// Migrations are compiled into the app, so the build output and tsx run the same list.
const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_jobs': m0002,
  '0003_connections': m0003,
  '0004_optimistic_turns': m0004,
  '0005_tenant_scoped_keys': m0005,
  '0006_waits_on_executions': m0006,
  '0007_chat_turns': m0007,
  '0008_idempotency_owner': m0008,
  '0009_trace_dropped': m0009,
  '0010_session_revocation': m0010,
  '0011_telemetry': m0011,
  '0012_secret_keys': m0012,
  '0013_llm_calls': m0013,
  '0014_forms_uploads': m0014,
  '0015_published_reads': m0015,
  '0016_webhooks': m0016,
  '0017_admin': m0017,
  '0019_privacy': m0019,
  '0020_limits': m0020,
  '0021_analytics': m0021,
  '0022_reports': m0022,
  '0023_analytics_marks': m0023,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export const latestMigration = Object.keys(migrations).sort().at(-1)!;

/** Applies pending migrations, up to `to` (a migration's name; tests of a migration's data changes) or the latest. */
export async function migrate<DB>(db: Kysely<DB>, options: { to?: string } = {}): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'comerix_migrations',
    migrationLockTableName: 'comerix_migrations_lock',
  });
  const { error, results } = options.to ? await migrator.migrateTo(options.to) : await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** `/readyz` asks this: is the newest migration this build knows applied? */
export async function migrationsApplied<DB>(db: Kysely<DB>): Promise<boolean> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'comerix_migrations',
    migrationLockTableName: 'comerix_migrations_lock',
  });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
