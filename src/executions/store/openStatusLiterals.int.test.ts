import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/testApp.js';
import { OPEN_STATUS_LITERALS } from './openStatusLiterals.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

it("a prepared statement's generic plan finds the open execution through the partial index executions_open", async () => {
  const query = t.ctx.kysely
    .selectFrom('executions')
    .select('id')
    .where('conversation_id', '=', '00000000-0000-7000-8000-000000000000')
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .compile();
  expect(query.parameters).toHaveLength(1);
  const plan = await t.ctx.kysely.transaction().execute(async (trx) => {
    await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
    await sql.raw(`prepare open_read(uuid) as ${query.sql}`).execute(trx);
    const rows = await sql<{
      'QUERY PLAN': string;
    }>`explain execute open_read(${sql.lit(query.parameters[0])})`.execute(trx);
    await sql`deallocate open_read`.execute(trx);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  expect(plan).toContain('executions_open');
});
