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

describe('migration 0007 moves the transcript to one row per turn', () => {
  it('turns each old item into a row of one entry, in the old order, with its block number', async () => {
    await migrate(db.kysely, { to: '0006_waits_on_executions' });
    const tenant = uuidv7();
    const conversation = uuidv7();
    const execution = uuidv7();
    const old = [
      { seq: null, role: 'user', body: { type: 'trigger', intentName: 'order_status' } },
      { seq: 1, role: 'bot', body: { id: `${execution}.1`, type: 'text', text: 'Hi' } },
      { seq: 2, role: 'bot', body: { id: `${execution}.2`, type: 'text', text: 'Order number?' } },
      { seq: null, role: 'user', body: { type: 'values', values: { order_number: '12345' } } },
    ];
    await db.kysely.transaction().execute(async (trx) => {
      // The items and the two parents the new table's keys check; the parents' own keys are beside the point.
      await sql`set local session_replication_role = 'replica'`.execute(trx);
      await sql`insert into conversations (id, tenant_id, public_key_id, customer_id)
        values (${conversation}::uuid, ${tenant}::uuid, ${uuidv7()}::uuid, 'c1')`.execute(trx);
      await sql`insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id,
          intent_name, status, state)
        values (${execution}::uuid, ${tenant}::uuid, ${conversation}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid,
          ${uuidv7()}::uuid, 'order_status', 'completed', '{}')`.execute(trx);
      for (const item of old) {
        await sql`insert into chat_items (tenant_id, conversation_id, execution_id, seq, role, body)
          values (${tenant}::uuid, ${conversation}::uuid, ${execution}::uuid, ${item.seq}::int, ${item.role},
            ${JSON.stringify(item.body)}::jsonb)`.execute(trx);
      }
    });

    expect(await migrate(db.kysely)).toContain('0007_chat_turns');

    const rows = await sql<{ first_seq: number | null; last_seq: number | null; items: unknown }>`
      select first_seq, last_seq, items from chat_turns where execution_id = ${execution}::uuid order by id`.execute(
      db.kysely,
    );
    expect(rows.rows).toEqual(
      old.map((item) => ({
        first_seq: item.seq,
        last_seq: item.seq,
        items: [item.seq === null ? { role: item.role, body: item.body } : item],
      })),
    );
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where tablename = 'chat_items'`.execute(db.kysely);
    expect(left.rows[0]!.n).toBe(0);
  });
});
