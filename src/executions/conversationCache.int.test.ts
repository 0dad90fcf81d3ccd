import { sql } from 'kysely';
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

// The ConversationCache lets a turn skip its read; these tests change the database behind the cache's back, as
// another process would, and check that the next turn still runs on what the database holds.

const greetFlow = {
  intent: { name: 'greet_name', description: 'Greets by name', examples: ['hi'], required_entities: [] },
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'Hi {{ conversation.variables.first_name }}' }] },
    { id: 'ask', type: 'ask', fields: [{ name: 'x', type: 'text', label: 'X' }] },
    { id: 'bye', type: 'message', blocks: [{ type: 'text', text: 'Bye {{ conversation.variables.first_name }}' }] },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'hello', to: 'ask' },
    { from: 'ask', to: 'bye' },
    { from: 'bye', to: 'done' },
  ],
};

async function greeted() {
  const { key } = await seedTenant(t.ctx, { flows: [greetFlow], key: { allIntents: true } });
  const w = new Widget(t.app);
  const session = await w.open(key.key);
  const conversationId = String(session.body.conversationId);
  const turn = await w.trigger('greet_name', { variables: { first_name: 'Ann' } });
  expect(turn.status, JSON.stringify(turn.body)).toBe(200);
  expect(turn.body.blocks).toMatchObject([{ text: 'Hi Ann' }, { type: 'form' }]);
  // The turn left its state in the cache: the next turn of this conversation would not read.
  expect(t.ctx.conversations.get(key.tenant_id, conversationId)?.open?.id).toBe(turn.body.executionId);
  return { w, turn, conversationId };
}

async function setVariables(conversationId: string, variables: Record<string, unknown>) {
  await sql`update conversations set variables = ${JSON.stringify(variables)}::jsonb where id = ${conversationId}::uuid`.execute(
    t.ctx.kysely,
  );
}

describe('turns that start from the conversation cache', () => {
  it('a trigger runs on the variables the database holds, not on the cached ones', async () => {
    const { w, conversationId } = await greeted();
    await setVariables(conversationId, { first_name: 'Bea' });
    const again = await w.trigger('greet_name');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.blocks).toMatchObject([{ text: 'Hi Bea' }, { type: 'form' }]);
  });

  it('a resume runs on the variables the database holds, not on the cached ones', async () => {
    const { w, turn, conversationId } = await greeted();
    await setVariables(conversationId, { first_name: 'Bea' });
    const done = await w.resume(turn, { x: 'y' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', blocks: [{ text: 'Bye Bea' }] });
  });

  it('a resume of an execution another process ended gets the real status, and changes nothing', async () => {
    const { w, turn } = await greeted();
    await sql`update executions set status = 'aborted', reason = 'superseded', version = version + 1
      where id = ${String(turn.body.executionId)}::uuid`.execute(t.ctx.kysely);
    const late = await w.resume(turn, { x: 'y' });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'execution_not_waiting' } });
    const row = await t.ctx.kysely
      .selectFrom('executions')
      .select(['status', 'version'])
      .where('id', '=', String(turn.body.executionId))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'aborted', version: 2 });
  });

  it('a trigger after the cached open execution completed elsewhere leaves it completed', async () => {
    const { w, turn } = await greeted();
    const id = String(turn.body.executionId);
    await sql`update executions set status = 'completed', version = version + 1, wait_id = null where id = ${id}::uuid`.execute(
      t.ctx.kysely,
    );
    const next = await w.trigger('greet_name');
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    const old = await t.ctx.kysely
      .selectFrom('executions')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(old).toEqual({ status: 'completed', version: 2 });
  });

  it('a change event for the open execution (another process, the worker, the sweeper) drops the entry', async () => {
    const { turn, conversationId } = await greeted();
    const tenantId = (
      await t.ctx.kysely
        .selectFrom('conversations')
        .select('tenant_id')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).tenant_id;
    t.ctx.events.changed(String(turn.body.executionId));
    expect(t.ctx.conversations.get(tenantId, conversationId)).toBeUndefined();
  });
});
