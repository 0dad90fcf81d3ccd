import { describe, expect, it } from 'vitest';
import { step } from './step.js';
import { engineContext, flowOf, trigger } from './test-support/fixtures.js';

// Text PostgreSQL cannot store (NUL, an unpaired surrogate) must never enter vars, blocks or job requests: the node
// that builds it fails with expression_error.
describe('unstorable expression results', () => {
  it.each([
    ['NUL in a set value', { type: 'set', assign: { x: '"a\\u0000b"' } }, 'the result'],
    [
      'a lone surrogate deep in a set value',
      { type: 'set', assign: { x: '{"k": ["ok", "\\ud800"]}' } },
      'the result.k[1]',
    ],
    ['NUL in an object key', { type: 'set', assign: { x: '{$base64decode("AA=="): 1}' } }, 'the result.?'],
    [
      'NUL in a message template',
      { type: 'message', blocks: [{ type: 'text', text: 'Hi {{ $base64decode("AA==") }}' }] },
      'the result',
    ],
    ['NUL in a task input', { type: 'task', task: 'x', input: { a: 'say {{ $base64decode("AA==") }}' } }, 'the result'],
  ])('fails on %s', async (_, node, where) => {
    const r = await step(flowOf([{ id: 'n', ...node }]), null, trigger, engineContext());
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 'n' });
    expect(r.error?.message).toBe(
      `node "n": ${where} holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`,
    );
    expect(r.effects).toEqual([]);
    expect(JSON.stringify(r)).not.toMatch(/\\u0000|\\ud800/);
  });

  it('keeps a paired surrogate (an emoji) as it is', async () => {
    const r = await step(
      flowOf([{ id: 'n', type: 'set', assign: { x: '"\\ud83d\\ude00"' } }]),
      null,
      trigger,
      engineContext(),
    );
    expect(r.state.vars).toEqual({ x: '😀' });
  });
});
