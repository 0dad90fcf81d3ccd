import { describe, expect, it } from 'vitest';
import { step } from './step.js';
import { engineContext, loadFlow, orderStatusFlow, resumeWith, trigger } from './test-support/fixtures.js';

// The §5.1 example end to end, turn by turn.
describe('order_status flow (§5.1)', () => {
  const flow = loadFlow(orderStatusFlow);
  const ctx = engineContext();

  it('trigger greets, shows the form and waits for input', async () => {
    const r = await step(flow, null, trigger, ctx);
    expect(r.status).toBe('waiting_input');
    expect(r.blocks).toEqual([
      { type: 'text', text: 'Let me check that for you.' },
      { type: 'form', fields: orderStatusFlow.nodes[1]?.fields, submitLabel: 'Check' },
    ]);
    expect(r.wait).toEqual({
      type: 'input',
      nodeId: 'ask_number',
      fields: orderStatusFlow.nodes[1]?.fields,
      submitLabel: 'Check',
    });
    expect(r.state).toEqual({ position: 'ask_number', vars: {}, steps: 2 });
    expect(r.trace).toEqual([
      { nodeId: 'greet', type: 'message' },
      { nodeId: 'ask_number', type: 'ask' },
    ]);
    expect(r.effects).toEqual([]);
  });

  it('a known order number gets the shipped message and completes', async () => {
    const first = await step(flow, null, trigger, ctx);
    const r = await step(flow, first.state, resumeWith({ order_number: '12345' }), ctx);
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'markdown', text: 'Order **12345** has shipped.' }]);
    expect(r.state).toEqual({ position: null, vars: { order_number: '12345' }, steps: 5 });
    expect(r.trace).toEqual([
      { nodeId: 'ask_number', type: 'ask' },
      { nodeId: 'known', type: 'condition', port: 'true' },
      { nodeId: 'shipped', type: 'message' },
      { nodeId: 'done', type: 'end' },
    ]);
    expect(r.wait).toBeUndefined();
    expect(r.reason).toBeUndefined();
  });

  it('an unknown number offers a retry; retry returns to the form; stop aborts with user_declined', async () => {
    const first = await step(flow, null, trigger, ctx);
    const unknown = await step(flow, first.state, resumeWith({ order_number: '999' }), ctx);
    expect(unknown.status).toBe('waiting_input');
    expect(unknown.blocks).toEqual([
      {
        type: 'buttons',
        text: "I can't find that order. Try again?",
        options: [
          { label: 'Yes', value: 'retry' },
          { label: 'No', value: 'stop' },
        ],
      },
    ]);
    expect(unknown.wait).toEqual({
      type: 'input',
      nodeId: 'unknown',
      fields: [
        {
          name: 'unknown',
          type: 'select',
          label: "I can't find that order. Try again?",
          required: true,
          options: [
            { label: 'Yes', value: 'retry' },
            { label: 'No', value: 'stop' },
          ],
        },
      ],
    });

    const retry = await step(flow, unknown.state, resumeWith({ unknown: 'retry' }), ctx);
    expect(retry.status).toBe('waiting_input');
    expect(retry.wait?.nodeId).toBe('ask_number');
    expect(retry.blocks.map((b) => b.type)).toEqual(['form']);
    expect(retry.state.vars).toEqual({ order_number: '999', unknown: 'retry' });

    const again = await step(flow, retry.state, resumeWith({ order_number: '998' }), ctx);
    expect(again.wait?.nodeId).toBe('unknown');
    const stop = await step(flow, again.state, resumeWith({ unknown: 'stop' }), ctx);
    expect(stop.status).toBe('aborted');
    expect(stop.reason).toBe('user_declined');
    expect(stop.blocks).toEqual([]);
    expect(stop.state.position).toBeNull();
    expect(stop.state.vars).toEqual({ order_number: '998', unknown: 'stop' });
    expect(stop.trace).toEqual([
      { nodeId: 'unknown', type: 'choice', port: 'stop' },
      { nodeId: 'give_up', type: 'end' },
    ]);
  });

  it('never mutates the state it was given', async () => {
    const first = await step(flow, null, trigger, ctx);
    const frozen = structuredClone(first.state);
    await step(flow, first.state, resumeWith({ order_number: '12345' }), ctx);
    expect(first.state).toEqual(frozen);
  });
});
