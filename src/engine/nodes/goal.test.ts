import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, trigger } from '../test-support/fixtures.js';

describe('goal node', () => {
  it('emits a goal effect and continues', async () => {
    const flow = flowOf(
      [
        { id: 'g', type: 'goal', goal: 'lead_captured' },
        { id: 'm', type: 'message', blocks: [{ type: 'text', text: 'Thanks' }] },
      ],
      [{ from: 'g', to: 'm' }],
    );
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('completed');
    expect(r.effects).toEqual([{ type: 'goal', goal: 'lead_captured', nodeId: 'g' }]);
    expect(r.blocks).toEqual([{ type: 'text', text: 'Thanks' }]);
  });
});
