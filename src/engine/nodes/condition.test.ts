import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, trigger } from '../test-support/fixtures.js';
import { isTruthy } from './condition.js';

const say = (id: string) => ({ id, type: 'message', blocks: [{ type: 'text', text: id }] });
const ctx = (total: number) => engineContext({}, { total });

describe('condition node', () => {
  const boolFlow = flowOf(
    [{ id: 'big', type: 'condition', expression: 'conversation.variables.total > 100' }, say('yes'), say('no')],
    [
      { from: 'big', port: 'true', to: 'yes' },
      { from: 'big', port: 'false', to: 'no' },
    ],
  );

  it('takes port true or false', async () => {
    const yes = await step(boolFlow, null, trigger, ctx(150));
    expect(yes.blocks).toEqual([{ type: 'text', text: 'yes' }]);
    expect(yes.trace[0]).toEqual({ nodeId: 'big', type: 'condition', port: 'true' });
    const no = await step(boolFlow, null, trigger, ctx(50));
    expect(no.blocks).toEqual([{ type: 'text', text: 'no' }]);
    expect(no.trace[0]).toEqual({ nodeId: 'big', type: 'condition', port: 'false' });
  });

  it('with cases, takes the first truthy case in order, else default', async () => {
    const flow = flowOf(
      [
        {
          id: 'tier',
          type: 'condition',
          cases: [
            { port: 'gold', expression: 'conversation.variables.total >= 1000' },
            { port: 'silver', expression: 'conversation.variables.total >= 100' },
            { port: 'also_silver', expression: 'conversation.variables.total >= 100' },
          ],
        },
        say('gold'),
        say('silver'),
        say('also_silver'),
        say('bronze'),
      ],
      [
        { from: 'tier', port: 'gold', to: 'gold' },
        { from: 'tier', port: 'silver', to: 'silver' },
        { from: 'tier', port: 'also_silver', to: 'also_silver' },
        { from: 'tier', port: 'default', to: 'bronze' },
      ],
    );
    const texts = async (total: number) => (await step(flow, null, trigger, ctx(total))).blocks;
    expect(await texts(5000)).toEqual([{ type: 'text', text: 'gold' }]);
    expect(await texts(500)).toEqual([{ type: 'text', text: 'silver' }]);
    expect(await texts(5)).toEqual([{ type: 'text', text: 'bronze' }]);
  });

  it('an expression error fails the turn with expression_error and an error block', async () => {
    const flow = flowOf(
      [{ id: 'c', type: 'condition', expression: 'conversation.variables.total + "x"' }, say('yes'), say('no')],
      [
        { from: 'c', port: 'true', to: 'yes' },
        { from: 'c', port: 'false', to: 'no' },
      ],
    );
    const r = await step(flow, null, trigger, ctx(1));
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('expression_error');
    expect(r.error?.nodeId).toBe('c');
    expect(r.error?.message).toMatch(/^node "c": .*must evaluate to a number/);
    expect(r.blocks).toEqual([{ type: 'error', code: 'expression_error', message: r.error?.message }]);
    expect(r.state.position).toBeNull();
  });
});

describe('isTruthy (JSONata $boolean rules)', () => {
  it('matches JSONata', () => {
    expect([undefined, null, false, 0, '', [], {}, [0, ''], [[]]].map(isTruthy)).toEqual(Array(9).fill(false));
    expect([true, 1, -1, 'x', [0, 1], { a: 0 }, ['']].map(isTruthy)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});
