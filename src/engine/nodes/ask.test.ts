import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, resumeWith, trigger } from '../test-support/fixtures.js';

const fields = [
  { name: 'email', type: 'email', label: 'Email', required: true },
  { name: 'note', type: 'text', label: 'Note' },
];
const ctx = engineContext({}, { first_name: 'Ann' });

describe('ask node', () => {
  it('emits a templated text then the form, and waits with the fields', async () => {
    const flow = flowOf([
      { id: 'q', type: 'ask', text: 'Hi {{ conversation.variables.first_name }}!', fields, submitLabel: 'Go' },
    ]);
    const r = await step(flow, null, trigger, ctx);
    expect(r.status).toBe('waiting_input');
    expect(r.blocks).toEqual([
      { type: 'text', text: 'Hi Ann!' },
      { type: 'form', fields, submitLabel: 'Go' },
    ]);
    expect(r.wait).toEqual({ type: 'input', nodeId: 'q', fields, submitLabel: 'Go' });
    expect(r.state.position).toBe('q');
  });

  it('without text or submitLabel emits only the form', async () => {
    const r = await step(flowOf([{ id: 'q', type: 'ask', fields }]), null, trigger, ctx);
    expect(r.blocks).toEqual([{ type: 'form', fields }]);
    expect(r.wait).toEqual({ type: 'input', nodeId: 'q', fields });
  });

  it('stores each value under vars.<field name>; with no outgoing edge the execution completes', async () => {
    const flow = flowOf([{ id: 'q', type: 'ask', fields }]);
    const first = await step(flow, null, trigger, ctx);
    const r = await step(flow, first.state, resumeWith({ email: 'a@b.co', note: 'hi' }), ctx);
    expect(r.status).toBe('completed');
    expect(r.state).toEqual({ position: null, vars: { email: 'a@b.co', note: 'hi' }, steps: 1 });
    expect(r.trace).toEqual([{ nodeId: 'q', type: 'ask' }]);
  });

  it('on a second pass, an optional field left empty clears the earlier value', async () => {
    const flow = flowOf(
      [
        { id: 'q', type: 'ask', fields },
        { id: 'again', type: 'choice', options: [{ label: 'Again', value: 'again' }] },
      ],
      [
        { from: 'q', to: 'again' },
        { from: 'again', port: 'again', to: 'q' },
      ],
    );
    let r = await step(flow, null, trigger, ctx);
    r = await step(flow, r.state, resumeWith({ email: 'a@b.co', note: 'first' }), ctx);
    r = await step(flow, r.state, resumeWith({ again: 'again' }), ctx);
    r = await step(flow, r.state, resumeWith({ email: 'c@d.co' }), ctx);
    expect(r.state.vars).toEqual({ email: 'c@d.co', again: 'again' });
  });
});
