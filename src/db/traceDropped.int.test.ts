import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../test/support/testApp.js';
import { migrate } from './migrate.js';
import type { Db } from './openDatabase.js';

let db: Db;
beforeAll(async () => {
  db = await openTestDb({ empty: true });
});
afterAll(async () => {
  await db?.close();
});

describe('migration 0009 adds executions.trace_dropped', () => {
  it('gives existing executions a count of 0 and leaves their traces as they were', async () => {
    await migrate(db.kysely, { to: '0008_idempotency_owner' });
    const id = uuidv7();
    const trace = Array.from({ length: 250 }, (_, i) => ({ nodeId: `n${i}`, type: 'set' }));
    await db.kysely.transaction().execute(async (trx) => {
      // The row only needs itself here; the parents' keys are beside the point.
      await sql`set local session_replication_role = 'replica'`.execute(trx);
      await sql`insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id,
          intent_name, status, state, trace)
        values (${id}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid,
          ${uuidv7()}::uuid, 'spin', 'completed', '{}', ${JSON.stringify(trace)}::jsonb)`.execute(trx);
    });

    expect(await migrate(db.kysely)).toContain('0009_trace_dropped');

    const row = await db.kysely
      .selectFrom('executions')
      .select(['trace', 'trace_dropped'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ trace, trace_dropped: 0 });
  });
});
