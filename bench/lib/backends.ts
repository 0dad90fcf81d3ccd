import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The bench's load comes from one address, far above any per-IP default: limits are off unless the environment
 * turns them on; the `turnRateLimited` row measures them on, set above the load.
 */
const RATE_LIMITS = process.env.COMERIX_RATE_LIMITS ?? 'off';

export type BackendName = 'postgres' | 'pglite';

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Backend {
  name: BackendName;
  /** Environment of the product (CLI and server): DATABASE_URL + COMERIX_MASTER_KEY, or COMERIX_DATA_DIR. */
  productEnv: Record<string, string>;
  /** Environment of bench/ceiling.ts: the same database or the same data directory. */
  ceilingEnv: Record<string, string>;
  /** PostgreSQL: the bench database URL and name. */
  databaseUrl?: string;
  database?: string;
  /** PGlite: the directory PGlite itself lives in (the product's COMERIX_DATA_DIR/pglite). */
  pgliteDir?: string;
  dispose(): Promise<void>;
}

let counter = 0;
const live = new Set<Backend>();

/** Drops every database and data directory still in use: Ctrl+C must not leave comerix_bench_* behind. */
export async function disposeAll(): Promise<void> {
  await Promise.allSettled([...live].map((b) => b.dispose()));
}

function track(backend: Backend): Backend {
  const dispose = backend.dispose;
  backend.dispose = async () => {
    live.delete(backend);
    await dispose();
  };
  live.add(backend);
  return backend;
}

/**
 * A fresh database per run: `comerix_bench_<pid>_<n>` on the local PostgreSQL, or a new temp data directory for
 * PGlite. The ceiling uses the same one (its own table), so both sides of every ratio hit the same store.
 */
export async function createBackend(name: BackendName): Promise<Backend> {
  if (name === 'postgres') {
    const dbName = `comerix_bench_${process.pid}_${counter++}`;
    await adminQuery(`create database ${dbName}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    const databaseUrl = url.toString();
    return track({
      name,
      databaseUrl,
      database: dbName,
      productEnv: {
        DATABASE_URL: databaseUrl,
        COMERIX_MASTER_KEY: randomBytes(32).toString('hex'),
        COMERIX_RATE_LIMITS: RATE_LIMITS,
      },
      ceilingEnv: { BENCH_BACKEND: 'postgres', DATABASE_URL: databaseUrl },
      dispose: () => adminQuery(`drop database if exists ${dbName} with (force)`),
    });
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'comerix-bench-'));
  const pgliteDir = join(dataDir, 'pglite'); // where the product opens PGlite (src/app/createContext.ts)
  // Owner-only from the start: the ceiling opens it first, and the product refuses a data directory (or a top-level
  // entry in it) that group or others can enter.
  mkdirSync(pgliteDir, { mode: 0o700 });
  return track({
    name,
    pgliteDir,
    productEnv: { COMERIX_DATA_DIR: dataDir, COMERIX_RATE_LIMITS: RATE_LIMITS },
    ceilingEnv: { BENCH_BACKEND: 'pglite', BENCH_PGLITE_DIR: pgliteDir },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  });
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The server processes of the connections open on `database` right now (the product's warm pool). */
export async function backendPids(database: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

export async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? '?';
  } finally {
    await client.end();
  }
}
