import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json200, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { step } from '../engine/step.js';
import { engineContext, intentFlow } from '../engine/test-support/fixtures.js';
import type { ExecutionState, Json, TraceEntry } from '../engine/types.js';
import type { TurnOutcome } from './persistStep.js';
import { commitTurn, updateTurn } from './store/writeTurn.js';
import { TRACE_LIMIT } from './traceLimit.js';

// The step trace keeps the newest TRACE_LIMIT entries and counts the others exactly in `trace_dropped`: within one
// turn (a loop of hundreds of steps) and across turns (the write slices the concatenation).

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function traceOf(id: string) {
  return t.ctx.kysely
    .selectFrom('executions')
    .select(['trace', 'trace_dropped', 'version', 'last_seq', 'tenant_id', 'conversation_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

// Each round runs `check` and `inc` 300 times (600 steps) before it asks again: 603 entries on the trigger.
const ROUNDS = 300;
const spinNodes = [
  { id: 'init', type: 'set', assign: { i: '0' } },
  { id: 'check', type: 'condition', expression: `vars.i < ${ROUNDS}` },
  { id: 'inc', type: 'set', assign: { i: 'vars.i + 1' } },
  {
    id: 'again',
    type: 'choice',
    text: 'Again?',
    options: [
      { label: 'More', value: 'more' },
      { label: 'Stop', value: 'stop' },
    ],
  },
  { id: 'done', type: 'end' },
];
const spinEdges = [
  { from: 'init', to: 'check' },
  { from: 'check', port: 'true', to: 'inc' },
  { from: 'inc', to: 'check' },
  { from: 'check', port: 'false', to: 'again' },
  { from: 'again', port: 'more', to: 'init' },
  { from: 'again', port: 'stop', to: 'done' },
];
const spinFlow = {
  intent: { name: 'spin', description: 'spin', examples: [], required_entities: [] },
  start: 'init',
  nodes: spinNodes,
  edges: spinEdges,
};

describe('step trace cap', () => {
  it('keeps the newest entries of a looping flow, within a turn and across turns, and counts the dropped exactly', async () => {
    // What the engine produces for the same turns, uncapped: the reference for what must be kept.
    const flow = intentFlow('spin', spinNodes, spinEdges);
    const full: TraceEntry[] = [];
    let state: ExecutionState | null = null;
    for (const input of [
      { kind: 'trigger' as const },
      { kind: 'resume' as const, values: { again: 'more' } },
      { kind: 'resume' as const, values: { again: 'stop' } },
    ]) {
      const r = await step(flow, state, input, engineContext());
      full.push(...r.trace);
      state = r.state;
    }
    expect(full.length).toBe(603 + 604 + 2);

    const { key } = await seedTenant(t.ctx, { flows: [spinFlow], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    let turn: Json200 = await w.trigger('spin');
    expect(turn.body.status).toBe('waiting_input');
    const id = String(turn.body.executionId);
    let row = await traceOf(id);
    expect(row.trace).toEqual(full.slice(0, 603).slice(-TRACE_LIMIT));
    expect(row.trace_dropped).toBe(603 - TRACE_LIMIT);

    turn = await w.resume(turn, { again: 'more' });
    expect(turn.body.status).toBe('waiting_input');
    row = await traceOf(id);
    expect(row.trace).toEqual(full.slice(0, 1207).slice(-TRACE_LIMIT));
    expect(row.trace_dropped).toBe(1207 - TRACE_LIMIT);

    turn = await w.resume(turn, { again: 'stop' });
    expect(turn.body.status).toBe('completed');
    row = await traceOf(id);
    expect(row.trace).toHaveLength(TRACE_LIMIT);
    expect(row.trace).toEqual(full.slice(-TRACE_LIMIT));
    expect(row.trace.at(-1)).toEqual({ nodeId: 'done', type: 'end' });
    expect(row.trace_dropped).toBe(full.length - TRACE_LIMIT);
  });

  it('slices the concatenation in the write: short traces grow, then the oldest go and are counted', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    const id = String(turn.body.executionId);
    const first = await traceOf(id);
    const kept: Json[] = [...first.trace];
    let dropped = 0;
    let version = first.version;
    let n = 0;
    const entries = (count: number) => Array.from({ length: count }, () => ({ nodeId: `n${n++}`, type: 'set' }));
    // [entries the turn sends, entries the turn itself dropped (planStep's cap)]
    for (const [count, own] of [
      [150, 0],
      [40, 0],
      [100, 0],
      [TRACE_LIMIT, 800],
      [3, 0],
    ] as const) {
      const trace = entries(count);
      const set: TurnOutcome = {
        status: 'waiting_input',
        state: { position: 'ask_number', vars: {}, steps: 0 },
        last_seq: first.last_seq,
        wait_id: null,
        wait_kind: null,
        wait_node_id: null,
        wait_fields: null,
        wait_submit_label: null,
        wait_expires_at: null,
        wait_resume_at: null,
        error: null,
        reason: null,
        trace,
        trace_dropped: own,
        active_ms: 1,
        ended_at: null,
      };
      await commitTurn(
        t.ctx,
        updateTurn({
          tenantId: first.tenant_id,
          conversationId: first.conversation_id,
          items: [],
          now: new Date(),
          id,
          expectedVersion: version,
          expectedStatus: 'waiting_input',
          claimWaitId: null,
          set,
        }),
      );
      version++;
      kept.push(...trace);
      dropped += own + Math.max(0, kept.length - TRACE_LIMIT);
      kept.splice(0, Math.max(0, kept.length - TRACE_LIMIT));
      const row = await traceOf(id);
      expect(row.trace).toEqual(kept);
      expect(row.trace_dropped).toBe(dropped);
    }
    expect(dropped).toBe(800 + first.trace.length + 150 + 40 + 100 + TRACE_LIMIT + 3 - TRACE_LIMIT);
  });
});
