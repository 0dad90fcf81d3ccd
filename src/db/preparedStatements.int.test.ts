import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, openTestDb } from '../../test/support/testApp.js';
import { type Db, openPostgres } from './openDatabase.js';
import { preparedStatementPool } from './preparedStatements.js';
import type { Database } from './types.js';

describe.skipIf(backend === 'pglite')('prepared statements on PostgreSQL', () => {
  let test: Db & { url?: string };
  let db: Db;
  beforeAll(async () => {
    test = await openTestDb();
    // One connection: every query below runs on it, so its pg_prepared_statements is the one that matters.
    db = await openPostgres(test.url!, { max: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await test?.close();
  });

  async function prepared(conn: Db['kysely'] = db.kysely) {
    const { rows } = await sql<{ name: string; statement: string }>`
      select name, statement from pg_prepared_statements`.execute(conn);
    return rows;
  }

  it('runs a repeated parameterised query as a cx_ named statement on its connection', async () => {
    await db.kysely.connection().execute(async (conn) => {
      const query = conn.selectFrom('tenants').select(['id', 'slug']).where('slug', '=', 'no-such-tenant');
      const text = query.compile().sql;
      for (let i = 0; i < 3; i++) expect(await query.execute()).toEqual([]);
      const named = (await prepared(conn)).filter((p) => p.statement === text);
      expect(named).toHaveLength(1);
      expect(named[0]!.name).toMatch(/^cx_\d+$/);
    });
  });

  it('leaves a statement seen once, and one without parameters, unnamed', async () => {
    const once = db.kysely.selectFrom('flows').select('id').where('intent_name', '=', 'only-once');
    await once.execute();
    const plain = sql<{ n: number }>`select 41 + 1 as n`;
    for (let i = 0; i < 3; i++) expect((await plain.execute(db.kysely)).rows).toEqual([{ n: 42 }]);
    const texts = (await prepared()).map((p) => p.statement);
    expect(texts).not.toContain(once.compile().sql);
    expect(texts).not.toContain('select 41 + 1 as n');
  });

  it('falls back to an unnamed statement when a table changed under a prepared one (0A000)', async () => {
    await sql`create table t (a int)`.execute(db.kysely);
    await sql`insert into t (a) values (1), (2)`.execute(db.kysely);
    const query = () => sql<Record<string, unknown>>`select * from t where a = ${1}`.execute(db.kysely);
    for (let i = 0; i < 3; i++) expect((await query()).rows).toEqual([{ a: 1 }]);
    const text = 'select * from t where a = $1';
    expect((await prepared()).find((p) => p.statement === text)?.name).toMatch(/^cx_\d+$/);

    await sql`alter table t add column b int`.execute(db.kysely);
    // Executing the prepared statement now fails with 0A000; the pool retries the text unnamed.
    expect((await query()).rows).toEqual([{ a: 1, b: null }]);
    await sql`update t set b = 7 where a = 1`.execute(db.kysely);
    expect((await query()).rows).toEqual([{ a: 1, b: 7 }]);
    expect((await query()).rows).toEqual([{ a: 1, b: 7 }]);
  });

  it('the fallback really ran: the named execution failed with 0A000 and the text then ran unnamed', async () => {
    // The same wrapper over a pg pool whose client records what each query sent and how it ended.
    const log: { name: string | undefined; text: string; code: string | undefined }[] = [];
    const pool = new pg.Pool({ connectionString: test.url!, max: 1 });
    const connect = pool.connect.bind(pool);
    const recorded = new WeakSet<pg.PoolClient>();
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect();
      // The pool hands the same client out again: record its queries once.
      if (recorded.has(client)) return client;
      recorded.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
        const config = args[0] as
          | string
          | { name?: string; text: string; submit?: unknown; callback?: (e: Error | null, r: unknown) => void };
        const entry = typeof config === 'string' ? { name: undefined, text: config } : config;
        if (typeof config === 'object' && typeof config.submit === 'function') {
          // A Query object (how named statements are sent): it reports through its callback, not a promise.
          const done = config.callback!;
          config.callback = (error, result) => {
            log.push({ name: entry.name, text: entry.text, code: (error as { code?: string } | null)?.code });
            done(error, result);
          };
          return query(...args);
        }
        try {
          const result = await query(...args);
          log.push({ name: entry.name, text: entry.text, code: undefined });
          return result;
        } catch (error) {
          log.push({ name: entry.name, text: entry.text, code: (error as { code?: string }).code });
          throw error;
        }
      };
      return client;
    };
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparedStatementPool(pool) }) });
    try {
      await sql`create table t3 (a int)`.execute(kysely);
      await sql`insert into t3 (a) values (5)`.execute(kysely);
      const text = 'select * from t3 where a = $1';
      const query = () => sql<Record<string, unknown>>`select * from t3 where a = ${5}`.execute(kysely);
      for (let i = 0; i < 3; i++) expect((await query()).rows).toEqual([{ a: 5 }]);
      await sql`alter table t3 add column b int`.execute(kysely);
      expect((await query()).rows).toEqual([{ a: 5, b: null }]);
      expect((await query()).rows).toEqual([{ a: 5, b: null }]);

      const runs = log.filter((l) => l.text === text);
      const name = runs[1]?.name;
      expect(name).toMatch(/^cx_\d+$/);
      expect(runs).toEqual([
        { name: undefined, text, code: undefined }, // first sighting: unnamed
        { name, text, code: undefined }, // second: named (parse + execute)
        { name, text, code: undefined }, // third: the prepared statement
        { name, text, code: '0A000' }, // after the alter: the cached plan's result type changed
        { name: undefined, text, code: undefined }, // the same call, retried unnamed
        { name: undefined, text, code: undefined }, // and unnamed from now on
      ]);
    } finally {
      await kysely.destroy();
    }
  });

  it('inside a transaction, a changed table fails with 0A000 (not 25P02), then the text runs unnamed', async () => {
    await changedTableInsideTransaction(db.kysely);
  });

  it('with preparedStatements: false (poolers) runs everything unnamed', async () => {
    const plain = await openPostgres(test.url!, { max: 1, preparedStatements: false });
    try {
      const query = plain.kysely.selectFrom('tenants').select('id').where('slug', '=', 'unprepared');
      for (let i = 0; i < 3; i++) expect(await query.execute()).toEqual([]);
      const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(plain.kysely);
      expect(rows).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('(control) the same prepared statement on a plain client fails with 0A000 after the change', async () => {
    const client = new pg.Client({ connectionString: test.url! });
    await client.connect();
    try {
      await client.query('create table t2 (a int)');
      await client.query('insert into t2 (a) values (1)');
      const named = { name: 'control', text: 'select * from t2 where a = $1', values: [1] };
      expect((await client.query(named)).rows).toEqual([{ a: 1 }]);
      await client.query('alter table t2 add column b int');
      await expect(client.query(named)).rejects.toMatchObject({ code: '0A000' });
    } finally {
      await client.end();
    }
  });
});

// PGlite (one session) names repeated statements too, through its own dialect.
describe.runIf(backend === 'pglite')('prepared statements on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs a repeated parameterised query as a cx_ named statement', async () => {
    const query = db.kysely.selectFrom('tenants').select(['id', 'slug']).where('slug', '=', 'no-such-tenant');
    for (let i = 0; i < 3; i++) expect(await query.execute()).toEqual([]);
    const { rows } = await sql<{ name: string; statement: string }>`
      select name, statement from pg_prepared_statements`.execute(db.kysely);
    expect(rows.find((p) => p.statement === query.compile().sql)?.name).toMatch(/^cx_\d+$/);
  });

  it('falls back to an unnamed statement when a table changed under a prepared one (0A000)', async () => {
    await sql`create table t (a int)`.execute(db.kysely);
    await sql`insert into t (a) values (1), (2)`.execute(db.kysely);
    const query = () => sql<Record<string, unknown>>`select * from t where a = ${1}`.execute(db.kysely);
    for (let i = 0; i < 3; i++) expect((await query()).rows).toEqual([{ a: 1 }]);
    const { rows } = await sql<{ name: string; statement: string }>`
      select name, statement from pg_prepared_statements`.execute(db.kysely);
    expect(rows.find((p) => p.statement === 'select * from t where a = $1')?.name).toMatch(/^cx_\d+$/);
    await sql`alter table t add column b int`.execute(db.kysely);
    expect((await query()).rows).toEqual([{ a: 1, b: null }]);
    await sql`update t set b = 7 where a = 1`.execute(db.kysely);
    expect((await query()).rows).toEqual([{ a: 1, b: 7 }]);
  });

  it('inside a transaction, a changed table fails with 0A000 (not 25P02), then the text runs unnamed', async () => {
    await changedTableInsideTransaction(db.kysely);
  });
});

/**
 * Inside a transaction the failed prepared statement has aborted it, so no fallback can run there: the caller must get
 * the 0A000 itself (a chat turn reruns on it), not 25P02, and the text runs unnamed from then on.
 */
async function changedTableInsideTransaction(kysely: Db['kysely']) {
  await sql`create table t_in_tx (a int)`.execute(kysely);
  await sql`insert into t_in_tx (a) values (1)`.execute(kysely);
  const query = (db: Db['kysely']) => sql<Record<string, unknown>>`select * from t_in_tx where a = ${1}`.execute(db);
  for (let i = 0; i < 3; i++) expect((await query(kysely)).rows).toEqual([{ a: 1 }]);
  await sql`alter table t_in_tx add column b int`.execute(kysely);
  const failure = await kysely
    .transaction()
    .execute((trx) => query(trx))
    .then(
      () => undefined,
      (error: unknown) => error as { code?: string },
    );
  expect(failure?.code).toBe('0A000');
  expect((await kysely.transaction().execute((trx) => query(trx))).rows).toEqual([{ a: 1, b: null }]);
}
