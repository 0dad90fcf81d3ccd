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

const FIELDS = [{ name: 'order_number', type: 'text', label: 'Order number', required: true }];

describe('migration 0006 moves each execution’s wait onto its row', () => {
  it('keeps open, cancelled and expired waits described, and drops consumed (claimed) ones', async () => {
    await migrate(db.kysely, { to: '0005_tenant_scoped_keys' });
    const tenant = uuidv7();
    const expires = new Date('2026-12-01T10:00:00Z');
    const resumeAt = new Date('2026-11-26T08:00:00Z');
    const cases = [
      { status: 'waiting_input', wait: 'open', kind: 'input' },
      { status: 'completed', wait: 'claimed', kind: 'input' },
      { status: 'aborted', wait: 'cancelled', kind: 'input' },
      { status: 'aborted', wait: 'expired', kind: 'input' },
      { status: 'waiting_time', wait: 'open', kind: 'time' },
    ].map((c) => ({ ...c, id: uuidv7(), waitId: uuidv7() }));
    await db.kysely.transaction().execute(async (trx) => {
      // The rows only need each other here; the parents' keys are beside the point.
      await sql`set local session_replication_role = 'replica'`.execute(trx);
      for (const c of cases) {
        await sql`insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id,
            intent_name, status, state, wait_id, wait_expires_at)
          values (${c.id}::uuid, ${tenant}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid, ${uuidv7()}::uuid,
            ${uuidv7()}::uuid, 'order_status', ${c.status}, '{}', ${c.waitId}::uuid,
            ${c.kind === 'input' ? expires : null}::timestamptz)`.execute(trx);
        await sql`insert into waits (id, tenant_id, execution_id, node_id, kind, status, fields, submit_label,
            expires_at, resume_at)
          values (${c.waitId}::uuid, ${tenant}::uuid, ${c.id}::uuid, 'ask_number', ${c.kind}, ${c.wait},
            ${JSON.stringify(c.kind === 'input' ? FIELDS : [])}::jsonb, ${c.kind === 'input' ? 'Check' : null},
            ${c.kind === 'input' ? expires : null}::timestamptz,
            ${c.kind === 'time' ? resumeAt : null}::timestamptz)`.execute(trx);
      }
    });

    expect(await migrate(db.kysely)).toContain('0006_waits_on_executions');

    const rows = await db.kysely
      .selectFrom('executions')
      .select([
        'id',
        'wait_id',
        'wait_kind',
        'wait_node_id',
        'wait_fields',
        'wait_submit_label',
        'wait_expires_at',
        'wait_resume_at',
      ])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const [open, claimed, cancelled, expired, time] = cases.map((c) => byId.get(c.id));
    const described = (waitId: string) => ({
      wait_id: waitId,
      wait_kind: 'input',
      wait_node_id: 'ask_number',
      wait_fields: FIELDS,
      wait_submit_label: 'Check',
      wait_expires_at: expires,
      wait_resume_at: null,
    });
    expect(open).toMatchObject(described(cases[0]!.waitId));
    // A resumed execution consumed its wait: its old token answers wait_token_invalid.
    expect(claimed).toMatchObject({
      wait_id: null,
      wait_kind: null,
      wait_node_id: null,
      wait_fields: null,
      wait_submit_label: null,
      wait_expires_at: null,
      wait_resume_at: null,
    });
    // An execution that ended with its wait open keeps it: its token answers execution_not_waiting.
    expect(cancelled).toMatchObject(described(cases[2]!.waitId));
    expect(expired).toMatchObject(described(cases[3]!.waitId));
    expect(time).toMatchObject({ wait_id: cases[4]!.waitId, wait_kind: 'time', wait_resume_at: resumeAt });
    const waitsLeft = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where tablename = 'waits'`.execute(db.kysely);
    expect(waitsLeft.rows[0]!.n).toBe(0);
  });
});
