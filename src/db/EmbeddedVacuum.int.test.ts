import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../test/support/testApp.js';
import { EmbeddedVacuum, HOT_TABLES, type VacuumStep } from './EmbeddedVacuum.js';
import { migrate } from './migrate.js';
import type { Db } from './openDatabase.js';

let db: Db;
beforeAll(async () => {
  db = await openTestDb({ empty: true });
  // Autovacuum stays out of the way on PostgreSQL, so what the tables show is what the steps did.
  for (const t of ['vac_a', 'vac_b']) {
    await sql`create table ${sql.table(t)} (id int primary key, filler text not null) with (autovacuum_enabled = false)`.execute(
      db.kysely,
    );
  }
});
afterAll(async () => {
  await db?.close();
});

/** -1 until the table's first ANALYZE (PostgreSQL 14+), then its estimated row count. */
async function reltuples(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where relname = ${table}`.execute(
    db.kysely,
  );
  return r.rows[0]!.n;
}

async function pages(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select (pg_relation_size(${table}::regclass) / 8192)::int as n`.execute(db.kysely);
  return r.rows[0]!.n;
}

const fill = (table: string) =>
  sql`insert into ${sql.table(table)} (id, filler) select g, repeat('x', 200) from generate_series(1, 2000) g`.execute(
    db.kysely,
  );

describe('EmbeddedVacuum', () => {
  it('vacuums and analyzes one table per step, in turn, and only that one', async () => {
    await fill('vac_a');
    await fill('vac_b');
    expect(await reltuples('vac_a')).toBe(-1);
    expect(await reltuples('vac_b')).toBe(-1);
    const vacuum = new EmbeddedVacuum(db.kysely, ['vac_a', 'vac_b']);

    expect((await vacuum.step()).table).toBe('vac_a');
    expect(await reltuples('vac_a')).toBe(2000);
    expect(await reltuples('vac_b')).toBe(-1);

    expect((await vacuum.step()).table).toBe('vac_b');
    expect(await reltuples('vac_b')).toBe(2000);
    expect((await vacuum.step()).table).toBe('vac_a');
  });

  it('cleans the indexes and analyzes only on every fullEvery-th visit of a table', async () => {
    const analyzed = async () =>
      Number(
        (await sql<{ n: number }>`select count(*)::int as n from pg_stats where tablename = 'vac_b'`.execute(db.kysely))
          .rows[0]!.n,
      );
    expect(await analyzed()).toBe(0);
    const vacuum = new EmbeddedVacuum(db.kysely, ['vac_a', 'vac_b'], 3);
    const steps = [];
    for (let i = 0; i < 6; i++) steps.push(await vacuum.step());
    expect(steps.map((s) => [s.table, s.full])).toEqual([
      ['vac_a', false],
      ['vac_b', false],
      ['vac_a', false],
      ['vac_b', false],
      ['vac_a', true],
      ['vac_b', true],
    ]);
    expect(await analyzed()).toBeGreaterThan(0);
  });

  it('makes the space of dead rows reusable, so a table that churns stops growing', async () => {
    await sql`truncate vac_a`.execute(db.kysely);
    await fill('vac_a');
    const full = await pages('vac_a');
    const vacuum = new EmbeddedVacuum(db.kysely, ['vac_a']);
    for (let round = 0; round < 3; round++) {
      await sql`delete from vac_a`.execute(db.kysely);
      await vacuum.step();
      await fill('vac_a');
    }
    // Without the steps every round would append another full copy: 4× the pages. The light steps leave each dead row's
    // 4-byte line pointer (its index entries are only cleaned on full steps), hence a little growth.
    expect(await pages('vac_a')).toBeLessThan(full * 1.25);
  });

  it('runs steps on its timer, one at a time, and stop waits for the one in progress', async () => {
    const vacuum = new EmbeddedVacuum(db.kysely, ['vac_a', 'vac_b']);
    const steps: VacuumStep[] = [];
    const errors: unknown[] = [];
    await new Promise<void>((resolve) => {
      vacuum.start(
        1,
        (step) => {
          steps.push(step);
          if (steps.length === 3) resolve();
        },
        (error) => errors.push(error),
      );
    });
    await vacuum.stop();
    const after = steps.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(steps.length).toBe(after);
    expect(steps.slice(0, 3).map((s) => s.table)).toEqual(['vac_a', 'vac_b', 'vac_a']);
    expect(errors).toEqual([]);
  });

  it('knows every hot table of the schema', async () => {
    await migrate(db.kysely);
    const vacuum = new EmbeddedVacuum(db.kysely);
    const done = [];
    for (const _ of HOT_TABLES) done.push((await vacuum.step()).table);
    expect(done).toEqual([...HOT_TABLES]);
  });
});
