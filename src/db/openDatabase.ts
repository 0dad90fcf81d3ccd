import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { PoolUse } from '../metrics/Metrics.js';
import { closeTreeToOthers } from './closeTreeToOthers.js';
import { PGliteDialect } from './pgliteDialect.js';
import { preparedStatementPool } from './preparedStatements.js';
import type { Database } from './types.js';

export interface Db {
  kysely: Kysely<Database>;
  backend: 'postgres' | 'pglite';
  /** The embedded instance, when the backend is PGlite (tests dump it as a template). */
  pglite?: PGlite;
  close(): Promise<void>;
  /** Connections in use and callers queued for one, for the pool gauge. */
  poolUse?(): PoolUse;
}

const INT8 = 20;
const NUMERIC_OID = 1700;

/**
 * Driver type differences are normalised here, once: int8 comes back as a JS number on both backends
 * (our int8 columns are identities and counters, far below 2^53), numeric as a string on both.
 */
export async function openPostgres(
  url: string,
  options: { max?: number; preparedStatements?: boolean } = {},
): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  const dialect = new PostgresDialect({
    pool: options.preparedStatements === false ? pool : preparedStatementPool(pool),
  });
  const kysely = new Kysely<Database>({ dialect });
  return {
    kysely,
    backend: 'postgres',
    close: () => kysely.destroy(),
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<Db> {
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => v },
  });
  if (options.dataDir) closeTreeToOthers(options.dataDir);
  const dialect = new PGliteDialect(pglite);
  const kysely = new Kysely<Database>({ dialect });
  return {
    kysely,
    backend: 'pglite',
    pglite,
    poolUse: () => dialect.use(),
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
}
