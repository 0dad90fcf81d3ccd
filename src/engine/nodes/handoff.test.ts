import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { catalogOf, engineContext, flowOf, intentFlow, trigger } from '../test-support/fixtures.js';
import { validateFlow } from '../validateFlow.js';

describe('handoff node', () => {
  it('emits a handoff block and effect and completes the execution', async () => {
    const flow = flowOf([
      { id: 'h', type: 'handoff', queue: 'billing', message: 'An agent for {{ "billing" }} will join.' },
    ]);
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'handoff', message: 'An agent for billing will join.', queue: 'billing' }]);
    expect(r.effects).toEqual([
      { type: 'handoff', nodeId: 'h', queue: 'billing', message: 'An agent for billing will join.' },
    ]);
  });

  it('needs neither queue nor message', async () => {
    const r = await step(flowOf([{ id: 'h', type: 'handoff' }]), null, trigger, engineContext());
    expect(r.blocks).toEqual([{ type: 'handoff' }]);
    expect(r.effects).toEqual([{ type: 'handoff', nodeId: 'h', queue: null, message: null }]);
  });

  it('completes the whole execution from inside a subflow: the caller does not go on', async () => {
    const root = intentFlow(
      'main',
      [
        { id: 'sub', type: 'subflow', intent: 'human' },
        { id: 'after', type: 'message', blocks: [{ type: 'text', text: 'back in main' }] },
      ],
      [{ from: 'sub', to: 'after' }],
    );
    const child = intentFlow('human', [{ id: 'h', type: 'handoff', queue: 'support' }]);
    const flows = catalogOf({ 'human@1': child }, { human: 'human@1' });
    const r = await step(root, null, trigger, engineContext({ flows }));
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'handoff', queue: 'support' }]);
  });

  it('is validated: no outgoing edges, a bad queue or template is a problem naming the node', () => {
    const bad = validateFlow({
      intent: { name: 'x', description: 'x' },
      start: 'h',
      nodes: [
        { id: 'h', type: 'handoff', queue: 'has space', message: '{{ (( }}' },
        { id: 'm', type: 'message', blocks: [{ type: 'text', text: 'never' }] },
      ],
      edges: [{ from: 'h', to: 'm' }],
    });
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems.every((p) => p.nodeId === 'h' || p.nodeId === 'm')).toBe(true);
    expect(problems.some((p) => p.path?.includes('queue'))).toBe(true);
  });
});
