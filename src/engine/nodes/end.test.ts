import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, trigger } from '../test-support/fixtures.js';
import { DEFAULT_ABORT_REASON } from './end.js';

const say = { id: 'm', type: 'message', blocks: [{ type: 'text', text: 'bye' }] };

describe('end node', () => {
  it('completes by default', async () => {
    const r = await step(
      flowOf([say, { id: 'e', type: 'end' }], [{ from: 'm', to: 'e' }]),
      null,
      trigger,
      engineContext(),
    );
    expect(r).toMatchObject({ status: 'completed', state: { position: null, steps: 2 } });
    expect(r.reason).toBeUndefined();
  });

  it('aborts with its reason', async () => {
    const r = await step(
      flowOf([{ id: 'e', type: 'end', status: 'aborted', reason: 'user_declined' }]),
      null,
      trigger,
      engineContext(),
    );
    expect(r).toMatchObject({ status: 'aborted', reason: 'user_declined', state: { position: null } });
  });

  it('aborts with a default reason when none is given', async () => {
    const r = await step(flowOf([{ id: 'e', type: 'end', status: 'aborted' }]), null, trigger, engineContext());
    expect(r.reason).toBe(DEFAULT_ABORT_REASON);
  });
});
