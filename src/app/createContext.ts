import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { type Db, openPglite, openPostgres } from '../db/openDatabase.js';
import { ExecutionEvents } from '../executions/ExecutionEvents.js';
import { OriginPolicy } from '../http/cors.js';
import { Secrets } from '../security/secrets.js';
import type { AppContext } from './AppContext.js';

/** Opens the configured database (PostgreSQL, or PGlite in the data dir), optionally migrating it. */
export async function openConfiguredDb(config: Config): Promise<Db> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite({ dataDir: `${config.dataDir}/pglite` });
}

export async function createContext(config: Config, db: Db, options: { migrate?: boolean } = {}): Promise<AppContext> {
  if (options.migrate) await migrate(db.kysely);
  return {
    config,
    db,
    kysely: db.kysely,
    secrets: new Secrets(config.masterKey()),
    events: new ExecutionEvents(),
    origins: new OriginPolicy(db.kysely),
  };
}
