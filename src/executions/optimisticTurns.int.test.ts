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

const ROUNDS = 10;
const OPEN = ['running', 'waiting_input', 'waiting_time'];

async function openExecutions(conversationId: string) {
  return t.ctx.kysely
    .selectFrom('executions')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', OPEN)
    .execute();
}

async function variablesOf(conversationId: string) {
  const row = await t.ctx.kysely
    .selectFrom('conversations')
    .select('variables')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return row.variables;
}

describe('optimistic chat turns of one conversation', () => {
  it('two concurrent triggers with different variables both apply, neither update is lost', async () => {
    const { key } = await seedTenant(t.ctx);
    for (let round = 0; round < ROUNDS; round++) {
      const w = new Widget(t.app);
      const session = await w.open(key.key);
      const conversationId = String(session.body.conversationId);
      const [first, second] = await Promise.all([
        w.trigger('order_status', { variables: { a: 1 } }),
        w.trigger('order_status', { variables: { b: 2 } }),
      ]);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(first.body.executionId).not.toBe(second.body.executionId);
      expect(await variablesOf(conversationId)).toMatchObject({ a: 1, b: 2 });
      // One of the two superseded the other: exactly one is still open.
      const open = await openExecutions(conversationId);
      expect(open).toHaveLength(1);
      expect([first.body.executionId, second.body.executionId]).toContain(open[0]!.id);
      const other = open[0]!.id === first.body.executionId ? second : first;
      const loser = await w.get(`/api/public/v1/chat/executions/${other.body.executionId}`);
      expect(loser.body).toMatchObject({ status: 'aborted', reason: 'superseded' });
    }
  });

  it('a resume racing a trigger: one open execution after, and a 200 resume really completed', async () => {
    const { key } = await seedTenant(t.ctx);
    const outcomes = { resumed: 0, refused: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const w = new Widget(t.app);
      const session = await w.open(key.key);
      const conversationId = String(session.body.conversationId);
      const waiting = await w.trigger('order_status');
      expect(waiting.body.status).toBe('waiting_input');
      const executionId = String(waiting.body.executionId);
      const { wait_id: waitId } = await t.ctx.kysely
        .selectFrom('executions')
        .select('wait_id')
        .where('id', '=', executionId)
        .executeTakeFirstOrThrow();
      if (!waitId) throw new Error('the waiting execution has no wait');

      // Alternate which request starts first, so both orders of the race get their chance.
      const [resume, trigger] =
        round % 2 === 0
          ? await Promise.all([w.resume(waiting, { order_number: '12345' }), w.trigger('order_status')])
          : await Promise.all([w.trigger('order_status'), w.resume(waiting, { order_number: '12345' })]).then(
              ([tr, re]) => [re, tr] as const,
            );
      expect(trigger.status, JSON.stringify(trigger.body)).toBe(200);
      expect(trigger.body.status).toBe('waiting_input');
      expect([200, 409], JSON.stringify(resume.body)).toContain(resume.status);

      const open = await openExecutions(conversationId);
      expect(open).toEqual([{ id: trigger.body.executionId, status: 'waiting_input' }]);

      const raced = await t.ctx.kysely
        .selectFrom('executions')
        .select(['status', 'reason', 'wait_id'])
        .where('id', '=', executionId)
        .executeTakeFirstOrThrow();
      if (resume.status === 200) {
        outcomes.resumed += 1;
        expect(resume.body).toMatchObject({ executionId, status: 'completed' });
        // The resume consumed the wait; the trigger then superseded nothing open of it.
        expect(raced).toEqual({ status: 'completed', reason: null, wait_id: null });
      } else {
        outcomes.refused += 1;
        // The trigger aborted the execution (its wait with it) first; the resume re-read and found it so.
        expect((resume.body.error as { code: string }).code).toBe('execution_not_waiting');
        expect(raced).toEqual({ status: 'aborted', reason: 'superseded', wait_id: waitId });
      }
    }
    expect(outcomes.resumed + outcomes.refused).toBe(ROUNDS);
  });
});
