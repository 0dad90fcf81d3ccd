import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../../test/support/testApp.js';
import type { TranscriptItem } from '../../db/types.js';
import type { TurnOutcome, WaitRow } from '../persistStep.js';
import { TurnConflict } from '../TurnConflict.js';
import { commitTurn, insertTurn, updateTurn } from './writeTurn.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A conversation whose open execution (order_status) waits for input, read back from the database. */
async function waitingConversation() {
  const { tenant, key } = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  const session = await w.open(key.key);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  expect(turn.body.status).toBe('waiting_input');
  const execution = await t.ctx.kysely
    .selectFrom('executions')
    .selectAll()
    .where('id', '=', String(turn.body.executionId))
    .executeTakeFirstOrThrow();
  expect(execution.wait_id).not.toBeNull();
  return { tenantId: tenant.id, conversationId: String(session.body.conversationId), execution };
}

async function executionRow(id: string) {
  return t.ctx.kysely.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Transcript items of the execution, over all its turn rows. */
async function itemCount(executionId: string): Promise<number> {
  const rows = await t.ctx.kysely
    .selectFrom('chat_turns')
    .select('items')
    .where('execution_id', '=', executionId)
    .execute();
  return rows.reduce((n, r) => n + r.items.length, 0);
}

async function conversationVariables(id: string) {
  const row = await t.ctx.kysely
    .selectFrom('conversations')
    .select('variables')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.variables;
}

function newWait(): WaitRow {
  return {
    id: uuidv7(),
    node_id: 'ask_number',
    kind: 'input',
    fields: [{ name: 'order_number', type: 'text', label: 'Order number', required: true }],
    submit_label: 'Check',
    expires_at: new Date(Date.now() + 60_000),
    resume_at: null,
  };
}

function items(executionId: string, seq = 1): TranscriptItem[] {
  return [
    { role: 'user', body: { type: 'trigger', intentName: 'order_status' } },
    { role: 'bot', seq, body: { id: `${executionId}.${seq}`, type: 'text', text: 'Hello again.' } },
  ];
}

function outcome(status: string, wait: WaitRow | null, lastSeq = 1): TurnOutcome {
  const ended = status === 'completed' || status === 'aborted' || status === 'failed';
  return {
    status,
    state: { test: true },
    last_seq: lastSeq,
    wait_id: wait?.id ?? null,
    wait_kind: wait?.kind ?? null,
    wait_node_id: wait?.node_id ?? null,
    wait_fields: wait?.fields ?? null,
    wait_submit_label: wait?.submit_label ?? null,
    wait_expires_at: wait?.expires_at ?? null,
    wait_resume_at: wait?.resume_at ?? null,
    error: null,
    reason: null,
    trace: [],
    trace_dropped: 0,
    active_ms: 1,
    ended_at: ended ? new Date() : null,
  };
}

describe('insertTurn superseding a waiting execution', () => {
  type Waiting = Awaited<ReturnType<typeof waitingConversation>>;

  function supersedingStatement(c: Waiting, version: number, status: 'waiting_input' | 'completed') {
    const id = uuidv7();
    const wait = status === 'waiting_input' ? newWait() : null;
    const statement = insertTurn({
      tenantId: c.tenantId,
      conversationId: c.conversationId,
      items: items(id),
      now: new Date(),
      supersede: { id: c.execution.id, status: c.execution.status, version, waitId: c.execution.wait_id },
      row: {
        id,
        session_id: c.execution.session_id,
        flow_id: c.execution.flow_id,
        flow_version_id: c.execution.flow_version_id,
        intent_name: c.execution.intent_name,
        ...outcome(status, wait),
      },
    });
    return { id, wait, statement };
  }

  async function expectUnchanged(c: Waiting, newId: string) {
    const old = await executionRow(c.execution.id);
    expect(old).toMatchObject({
      status: 'waiting_input',
      version: c.execution.version,
      reason: null,
      wait_id: c.execution.wait_id,
    });
    expect(old!.ended_at).toBeNull();
    expect(await executionRow(newId)).toBeUndefined();
    expect(await itemCount(newId)).toBe(0);
    const open = await t.ctx.kysely
      .selectFrom('executions')
      .select('id')
      .where('conversation_id', '=', c.conversationId)
      .where('status', 'in', ['running', 'waiting_input', 'waiting_time'])
      .execute();
    expect(open.map((r) => r.id)).toEqual([c.execution.id]);
  }

  for (const [label, delta] of [
    ['an older', -1],
    ['a newer', 5],
  ] as const) {
    for (const status of ['waiting_input', 'completed'] as const) {
      it(`writes nothing when the read saw ${label} version (new execution ${status})`, async () => {
        const c = await waitingConversation();
        const { id, statement } = supersedingStatement(c, c.execution.version + delta, status);
        await expect(commitTurn(t.ctx, statement)).rejects.toBeInstanceOf(TurnConflict);
        await expectUnchanged(c, id);
      });
    }
  }

  it('the statement itself fails with SQLSTATE CX409 from comerix_turn_guard', async () => {
    const c = await waitingConversation();
    // A completed new execution cannot hit the open-execution index: only the guard stops it.
    const { id, statement } = supersedingStatement(c, c.execution.version - 1, 'completed');
    await expect(statement.execute(t.ctx.kysely)).rejects.toMatchObject({ code: 'CX409' });
    await expectUnchanged(c, id);
  });

  it('writes nothing when the read saw another status', async () => {
    const c = await waitingConversation();
    const { id, statement } = supersedingStatement(
      { ...c, execution: { ...c.execution, status: 'waiting_time' } },
      c.execution.version,
      'waiting_input',
    );
    await expect(commitTurn(t.ctx, statement)).rejects.toBeInstanceOf(TurnConflict);
    await expectUnchanged(c, id);
  });

  it('writes nothing, extras included, when a transaction with extras conflicts', async () => {
    const c = await waitingConversation();
    const { id, statement } = supersedingStatement(c, c.execution.version - 1, 'waiting_input');
    let extrasRan = false;
    await expect(
      commitTurn(t.ctx, statement, async () => {
        extrasRan = true;
      }),
    ).rejects.toBeInstanceOf(TurnConflict);
    expect(extrasRan).toBe(false);
    await expectUnchanged(c, id);
  });

  it('with the version it read: aborts the old execution (its wait with it), writes the new one', async () => {
    const c = await waitingConversation();
    const { id, wait, statement } = supersedingStatement(c, c.execution.version, 'waiting_input');
    const row = await commitTurn(t.ctx, statement);
    expect(row).toMatchObject({
      id,
      conversation_id: c.conversationId,
      status: 'waiting_input',
      version: 1,
      wait_id: wait!.id,
    });
    const old = await executionRow(c.execution.id);
    expect(old).toMatchObject({ status: 'aborted', reason: 'superseded', version: c.execution.version + 1 });
    expect(old!.ended_at).not.toBeNull();
    // The old wait stays the old execution's: its token now answers execution_not_waiting, not wait_token_invalid.
    expect(old!.wait_id).toBe(c.execution.wait_id);
    expect(await executionRow(id)).toMatchObject({
      status: 'waiting_input',
      version: 1,
      wait_id: wait!.id,
      wait_kind: 'input',
      wait_node_id: 'ask_number',
      wait_fields: wait!.fields,
      wait_submit_label: 'Check',
    });
    expect(await itemCount(id)).toBe(2);
  });

  it('with the version it read and extras: extras run in the same transaction', async () => {
    const c = await waitingConversation();
    const { id, statement } = supersedingStatement(c, c.execution.version, 'completed');
    let sawNewRow = false;
    await commitTurn(t.ctx, statement, async (trx) => {
      const inside = await trx.selectFrom('executions').select('id').where('id', '=', id).executeTakeFirst();
      sawNewRow = inside?.id === id;
    });
    expect(sawNewRow).toBe(true);
    expect(await executionRow(id)).toMatchObject({ status: 'completed' });
    expect(await executionRow(c.execution.id)).toMatchObject({ status: 'aborted', reason: 'superseded' });
  });

  it('a second insert with no supersede while one is open conflicts (the unique open-execution index)', async () => {
    const c = await waitingConversation();
    const id = uuidv7();
    const wait = newWait();
    const statement = insertTurn({
      tenantId: c.tenantId,
      conversationId: c.conversationId,
      items: items(id),
      now: new Date(),
      supersede: null,
      row: {
        id,
        session_id: c.execution.session_id,
        flow_id: c.execution.flow_id,
        flow_version_id: c.execution.flow_version_id,
        intent_name: c.execution.intent_name,
        ...outcome('waiting_input', wait),
      },
    });
    await expect(statement.execute(t.ctx.kysely)).rejects.toMatchObject({
      code: '23505',
      constraint: 'executions_open',
    });
    await expect(commitTurn(t.ctx, statement)).rejects.toBeInstanceOf(TurnConflict);
    await expectUnchanged(c, id);
  });

  it('writes nothing when the conversation variables changed since the read', async () => {
    const c = await waitingConversation();
    const before = await conversationVariables(c.conversationId);
    const id = uuidv7();
    const statement = insertTurn({
      tenantId: c.tenantId,
      conversationId: c.conversationId,
      items: items(id),
      now: new Date(),
      variables: { read: { stale: 1 }, write: { stale: 2 } },
      supersede: {
        id: c.execution.id,
        status: c.execution.status,
        version: c.execution.version,
        waitId: c.execution.wait_id,
      },
      row: {
        id,
        session_id: c.execution.session_id,
        flow_id: c.execution.flow_id,
        flow_version_id: c.execution.flow_version_id,
        intent_name: c.execution.intent_name,
        ...outcome('completed', null),
      },
    });
    await expect(commitTurn(t.ctx, statement)).rejects.toBeInstanceOf(TurnConflict);
    await expectUnchanged(c, id);
    expect(await conversationVariables(c.conversationId)).toEqual(before);
  });
});

describe('updateTurn', () => {
  type Waiting = Awaited<ReturnType<typeof waitingConversation>>;

  function advance(c: Waiting, read: Record<string, unknown>, write: Record<string, unknown>) {
    return updateTurn({
      tenantId: c.tenantId,
      conversationId: c.conversationId,
      items: items(c.execution.id, c.execution.last_seq + 1),
      now: new Date(),
      variables: { read: read as never, write: write as never },
      id: c.execution.id,
      expectedVersion: c.execution.version,
      expectedStatus: 'waiting_input',
      claimWaitId: c.execution.wait_id,
      set: outcome('completed', null, c.execution.last_seq + 1),
    });
  }

  it('writes nothing, and leaves the wait open, when the variables changed since the read', async () => {
    const c = await waitingConversation();
    const before = await conversationVariables(c.conversationId);
    const itemsBefore = await itemCount(c.execution.id);
    await expect(
      commitTurn(t.ctx, advance(c, { not: 'what the row holds' }, { order_number: '1' })),
    ).rejects.toBeInstanceOf(TurnConflict);
    expect(await executionRow(c.execution.id)).toMatchObject({
      status: 'waiting_input',
      version: c.execution.version,
      wait_id: c.execution.wait_id,
    });
    const row = await executionRow(c.execution.id);
    expect(row).toMatchObject({
      status: 'waiting_input',
      version: c.execution.version,
      last_seq: c.execution.last_seq,
    });
    expect(await conversationVariables(c.conversationId)).toEqual(before);
    expect(await itemCount(c.execution.id)).toBe(itemsBefore);
  });

  it('writes nothing when the execution version moved on', async () => {
    const c = await waitingConversation();
    const stale = { ...c, execution: { ...c.execution, version: c.execution.version - 1 } };
    const read = await conversationVariables(c.conversationId);
    await expect(commitTurn(t.ctx, advance(stale, read, { x: 1 }))).rejects.toBeInstanceOf(TurnConflict);
    expect(await executionRow(c.execution.id)).toMatchObject({
      status: 'waiting_input',
      version: c.execution.version,
      wait_id: c.execution.wait_id,
    });
    expect(await conversationVariables(c.conversationId)).toEqual(read);
  });

  // The version alone would already stop these; the wait conditions are checked on their own here.
  it('writes nothing when the execution no longer waits on that wait', async () => {
    const c = await waitingConversation();
    const other = uuidv7();
    await t.ctx.kysely.updateTable('executions').set({ wait_id: other }).where('id', '=', c.execution.id).execute();
    const read = await conversationVariables(c.conversationId);
    await expect(commitTurn(t.ctx, advance(c, read, { x: 1 }))).rejects.toBeInstanceOf(TurnConflict);
    expect(await executionRow(c.execution.id)).toMatchObject({ status: 'waiting_input', version: c.execution.version });
    expect(await conversationVariables(c.conversationId)).toEqual(read);
  });

  it('writes nothing when the wait expired', async () => {
    const c = await waitingConversation();
    await t.ctx.kysely
      .updateTable('executions')
      .set({ wait_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', c.execution.id)
      .execute();
    const read = await conversationVariables(c.conversationId);
    await expect(commitTurn(t.ctx, advance(c, read, { x: 1 }))).rejects.toBeInstanceOf(TurnConflict);
    expect(await executionRow(c.execution.id)).toMatchObject({ status: 'waiting_input', version: c.execution.version });
  });

  it('applies with the variables the row holds: consumes the wait, bumps the version, writes the variables', async () => {
    const c = await waitingConversation();
    const read = await conversationVariables(c.conversationId);
    const itemsBefore = await itemCount(c.execution.id);
    const row = await commitTurn(t.ctx, advance(c, read, { ...read, order_number: '12345' }));
    expect(row).toMatchObject({ id: c.execution.id, status: 'completed', version: c.execution.version + 1 });
    expect(await executionRow(c.execution.id)).toMatchObject({
      wait_id: null,
      wait_kind: null,
      wait_node_id: null,
      wait_fields: null,
      wait_expires_at: null,
    });
    expect(await conversationVariables(c.conversationId)).toEqual({ ...read, order_number: '12345' });
    expect(await itemCount(c.execution.id)).toBe(itemsBefore + 2);
  });
});
