import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import type { AppContext } from '../../src/app/AppContext.js';
import { buildApp } from '../../src/app/buildApp.js';
import { createContext } from '../../src/app/createContext.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Db, openPglite, openPostgres } from '../../src/db/openDatabase.js';
import { performHttp } from '../../src/executions/performHttp.js';
import type { LlmPerformer } from '../../src/llm/performLlm.js';
import { startWorker } from '../../src/server/startWorker.js';
import { withDatabase } from './globalSetup.js';

export const backend = (process.env.COMERIX_TEST_BACKEND ?? 'pglite') as 'pglite' | 'postgres';

/**
 * A fresh database cloned from the run's migrated template: one per test file. `empty`: no migrations at all (for
 * tests of a migration).
 */
export async function openTestDb(options: { empty?: boolean } = {}): Promise<Db & { url?: string }> {
  if (backend === 'pglite') {
    if (options.empty) return openPglite();
    const tar = readFileSync(inject('pgliteTemplate'));
    return openPglite({ loadDataDir: new Blob([tar]) });
  }
  const template = inject('postgresTemplate');
  const templateName = new URL(template).pathname.slice(1);
  const name = `${templateName}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(template, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${options.empty ? 'template0' : templateName}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(template, name);
  const db = await openPostgres(url);
  const close = db.close;
  return {
    ...db,
    url,
    close: async () => {
      await close();
      const a = new pg.Client({ connectionString: withDatabase(template, 'postgres') });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`).finally(() => a.end());
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    COMERIX_MASTER_KEY: 'a'.repeat(64),
    COMERIX_DATA_DIR: '/nonexistent-comerix-test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    // Suites send bursts from one address; the limits are tested on purpose, in src/http/limits/.
    COMERIX_RATE_LIMITS: 'off',
    ...overrides,
  });
}

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The real app on a real database, for in-process `inject()` tests; with `worker`, the job queue is worked in
 * this process too (graphile-worker on PostgreSQL, the jobs table on PGlite).
 */
export async function createTestApp(
  options: { worker?: boolean; env?: Record<string, string>; logs?: string[]; llm?: LlmPerformer } = {},
): Promise<TestApp> {
  const db = await openTestDb();
  const config = testConfig({
    COMERIX_ALLOW_PRIVATE_NETWORKS: 'true',
    COMERIX_JOB_LEASE_SECONDS: '5',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...options.env,
  });
  const ctx = await createContext(config, db);
  const logs = options.logs;
  const app = await buildApp(
    ctx,
    logs ? { logger: { level: 'trace', stream: { write: (line: string) => logs.push(line) } } } : {},
  );
  const worker = options.worker
    ? await startWorker(ctx, {
        http: performHttp,
        ...(options.llm ? { llm: options.llm } : {}),
        ...(logs
          ? {
              log: (msg: string, err?: unknown) =>
                logs.push(`${msg} ${err instanceof Error ? `${err.message} ${err.stack}` : String(err)}`),
            }
          : {}),
      })
    : undefined;
  return {
    ctx,
    app,
    async close() {
      await worker?.stop();
      await app.close();
      await ctx.events.close();
      await db.close();
    },
  };
}
