import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.js';
import { openPglite, openPostgres } from '../../src/db/openDatabase.js';
import { GraphileJobQueue } from '../../src/jobs/GraphileJobQueue.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates one template per run and per backend; every test file clones it (PGlite: loadDataDir of a dump;
 * PostgreSQL: CREATE DATABASE … TEMPLATE), which is far cheaper than migrating a fresh database per file.
 */
export default async function setup(project: TestProject) {
  const backend = process.env.COMERIX_TEST_BACKEND ?? project.config.env?.COMERIX_TEST_BACKEND;
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'comerix-tpl-'));
    const db = await openPglite();
    await migrate(db.kysely);
    const dump = await db.pglite!.dumpDataDir('none');
    const file = join(dir, 'template.tar');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await db.close();
    project.provide('pgliteTemplate', file);
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.TEST_DATABASE_URL ?? String(project.config.env?.TEST_DATABASE_URL);
  const name = `comerix_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const tplUrl = withDatabase(url, name);
  const db = await openPostgres(tplUrl, { max: 1 });
  await migrate(db.kysely);
  await db.close();
  // graphile-worker's schema too, so per-file clones start with a ready queue.
  await new GraphileJobQueue(tplUrl, db.kysely).prepare();
  project.provide('postgresTemplate', tplUrl);
  return async () => {
    // Drop the template and every per-file clone of this run.
    const clones = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `${name}%`,
    ]);
    for (const row of clones.rows.sort((a, b) => b.datname.length - a.datname.length)) {
      await admin.query(`drop database if exists ${row.datname} with (force)`);
    }
    await admin.end();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
