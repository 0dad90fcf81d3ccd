import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A tenant with one triggered execution, read back as the rows the keys tie together. */
async function tenantWithExecution() {
  const { tenant, key } = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  await w.open(key.key);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  const execution = await t.ctx.kysely
    .selectFrom('executions')
    .selectAll()
    .where('id', '=', String(turn.body.executionId))
    .executeTakeFirstOrThrow();
  return { tenant, execution };
}

async function foreignKeyError(statement: Promise<unknown>): Promise<string | undefined> {
  const error = await statement.then(
    () => undefined,
    (e: unknown) => e as { code?: string },
  );
  return error?.code;
}

describe('keys of the chat-turn tables carry the tenant (migration 0005)', () => {
  it("an execution cannot point at another tenant's conversation, another conversation's session or another tenant's flow version", async () => {
    const a = await tenantWithExecution();
    const b = await tenantWithExecution();
    const insert = (overrides: Record<string, string>) =>
      sql`insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id, intent_name, status, state)
        values (${uuidv7()}::uuid, ${overrides.tenant_id}::uuid, ${overrides.conversation_id}::uuid,
          ${overrides.session_id}::uuid, ${overrides.flow_id}::uuid, ${overrides.flow_version_id}::uuid,
          'order_status', 'completed', '{}'::jsonb)`.execute(t.ctx.kysely);
    const own = {
      tenant_id: a.execution.tenant_id,
      conversation_id: a.execution.conversation_id,
      session_id: a.execution.session_id,
      flow_id: a.execution.flow_id,
      flow_version_id: a.execution.flow_version_id,
    };
    expect(await foreignKeyError(insert({ ...own, conversation_id: b.execution.conversation_id }))).toBe('23503');
    expect(await foreignKeyError(insert({ ...own, session_id: b.execution.session_id }))).toBe('23503');
    expect(await foreignKeyError(insert({ ...own, flow_version_id: b.execution.flow_version_id }))).toBe('23503');
    expect(await foreignKeyError(insert({ ...own, flow_id: b.execution.flow_id }))).toBe('23503');
    // The same row with its own parents is accepted: the failures above are the keys, not the statement.
    expect(await foreignKeyError(insert(own))).toBeUndefined();
  });

  it("a transcript row cannot point at another tenant's conversation", async () => {
    const a = await tenantWithExecution();
    const b = await tenantWithExecution();
    const insert = (tenantId: string) =>
      sql`insert into chat_turns (tenant_id, conversation_id, execution_id, first_seq, last_seq, items)
        values (${tenantId}::uuid, ${a.execution.conversation_id}::uuid, ${a.execution.id}::uuid, 99, 99, '[{"role": "bot", "seq": 99, "body": {}}]'::jsonb)`.execute(
        t.ctx.kysely,
      );
    expect(await foreignKeyError(insert(b.tenant.id))).toBe('23503');
    expect(await foreignKeyError(insert(a.tenant.id))).toBeUndefined();
  });
});
