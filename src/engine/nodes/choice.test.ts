import { describe, expect, it } from 'vitest';
import { EngineInputError } from '../engineInputError.js';
import { step } from '../step.js';
import { engineContext, flowOf, resumeWith, trigger } from '../test-support/fixtures.js';

const ctx = engineContext({}, { size: 'M' });
const flow = flowOf(
  [
    {
      id: 'size',
      type: 'choice',
      text: 'Keep size {{ conversation.variables.size }}?',
      display: 'quick_replies',
      options: [
        { label: 'Keep {{ conversation.variables.size }}', value: 'keep' },
        { label: 'Change', value: 'change' },
      ],
    },
    { id: 'kept', type: 'message', blocks: [{ type: 'text', text: 'Kept ({{ vars.size }})' }] },
    { id: 'changed', type: 'end', status: 'aborted', reason: 'size_changed' },
  ],
  [
    { from: 'size', port: 'keep', to: 'kept' },
    { from: 'size', port: 'change', to: 'changed' },
  ],
);

describe('choice node', () => {
  it('emits quick_replies with rendered text and labels, and waits on a select named after the node', async () => {
    const r = await step(flow, null, trigger, ctx);
    const options = [
      { label: 'Keep M', value: 'keep' },
      { label: 'Change', value: 'change' },
    ];
    expect(r.status).toBe('waiting_input');
    expect(r.blocks).toEqual([{ type: 'quick_replies', text: 'Keep size M?', options }]);
    expect(r.wait).toEqual({
      type: 'input',
      nodeId: 'size',
      fields: [{ name: 'size', type: 'select', label: 'Keep size M?', required: true, options }],
    });
  });

  it('defaults to buttons and labels the wait field with the node id when there is no text', async () => {
    const plain = flowOf(
      [{ id: 'pick', type: 'choice', options: [{ label: 'A', value: 'a' }] }],
      [{ from: 'pick', port: 'a', to: 'pick' }],
    );
    const r = await step(plain, null, trigger, ctx);
    expect(r.blocks).toEqual([{ type: 'buttons', options: [{ label: 'A', value: 'a' }] }]);
    expect(r.wait?.type === 'input' ? r.wait.fields[0]?.label : undefined).toBe('pick');
  });

  it('stores the chosen value under vars.<node id> and follows the port named by it', async () => {
    const first = await step(flow, null, trigger, ctx);
    const kept = await step(flow, first.state, resumeWith({ size: 'keep' }), ctx);
    expect(kept.status).toBe('completed');
    expect(kept.blocks).toEqual([{ type: 'text', text: 'Kept (keep)' }]);
    expect(kept.state.vars).toEqual({ size: 'keep' });
    const changed = await step(flow, first.state, resumeWith({ size: 'change' }), ctx);
    expect(changed).toMatchObject({ status: 'aborted', reason: 'size_changed' });
  });

  it('refuses a resume value that is not an option (the caller must validate)', async () => {
    const first = await step(flow, null, trigger, ctx);
    await expect(step(flow, first.state, resumeWith({ size: 'other' }), ctx)).rejects.toBeInstanceOf(EngineInputError);
  });
});
