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
import { withDatabase } from './globalSetup.js';

export const backend = (process.env.COMERIX_TEST_BACKEND ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh database cloned from the run's migrated template: one per test file. */
export async function openTestDb(): Promise<Db & { url?: string }> {
  if (backend === 'pglite') {
    const tar = readFileSync(inject('pgliteTemplate'));
    return openPglite({ loadDataDir: new Blob([tar]) });
  }
  const template = inject('postgresTemplate');
  const templateName = new URL(template).pathname.slice(1);
  const name = `${templateName}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(template, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${templateName}`);
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
    ...overrides,
  });
}

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The real app on a real database, for in-process `inject()` tests. */
export async function createTestApp(): Promise<TestApp> {
  const db = await openTestDb();
  const ctx = await createContext(testConfig(), db);
  const app = await buildApp(ctx);
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
