import { describe, expect, it } from 'vitest';
import type { StepResult } from '../engine/types.js';
import { storableStep } from './storableStep.js';

const waiting = (text: string): StepResult => ({
  state: { position: 'call', vars: { note: text, ok: 'fine' }, steps: 3 },
  blocks: [{ type: 'text', text: `Hello ${text}` }],
  status: 'waiting_time',
  wait: { type: 'time', nodeId: 'call' },
  effects: [
    { type: 'goal', goal: 'greeted', nodeId: 'hi' },
    { type: 'job', nodeId: 'call', job: { kind: 'task', task: 'x', input: {} } },
  ],
  trace: [
    { nodeId: 'hi', type: 'message' },
    { nodeId: 'call', type: 'task' },
  ],
});

describe('storableStep', () => {
  it('returns a storable result as it is', () => {
    const result = waiting('world');
    expect(storableStep(result)).toBe(result);
  });

  it.each(['a\u0000b', 'a\ud800b', 'a\udc00'])('fails a result holding %j, keeping a scrubbed copy', (text) => {
    const out = storableStep(waiting(text));
    expect(out.status).toBe('failed');
    expect(out.error).toMatchObject({ code: 'task_error', nodeId: 'call' });
    expect(out.error?.message).toMatch(/cannot be stored \(result\.state\.vars\.note\)/);
    expect(out.state).toEqual({
      position: null,
      vars: { note: expect.stringContaining('\uFFFD'), ok: 'fine' },
      steps: 3,
    });
    expect(out.wait).toBeUndefined();
    expect(out.effects).toEqual([{ type: 'goal', goal: 'greeted', nodeId: 'hi' }]);
    expect(out.blocks).toEqual([
      { type: 'text', text: expect.stringContaining('\uFFFD') },
      { type: 'error', code: 'task_error', message: out.error?.message },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud[89a-f]/);
  });
});
