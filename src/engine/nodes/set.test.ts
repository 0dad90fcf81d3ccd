import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, trigger } from '../test-support/fixtures.js';

describe('set node', () => {
  it('assigns in order, so later expressions see earlier ones', async () => {
    const flow = flowOf([
      {
        id: 's',
        type: 'set',
        assign: { a: '2', b: 'vars.a * 10', c: '{"sum": vars.a + vars.b, "list": [vars.a, vars.b]}' },
      },
    ]);
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('completed');
    expect(r.state.vars).toEqual({ a: 2, b: 20, c: { sum: 22, list: [2, 20] } });
  });

  it('removes a variable when the expression yields nothing', async () => {
    const flow = flowOf(
      [
        { id: 's1', type: 'set', assign: { a: '1', b: '2' } },
        { id: 's2', type: 'set', assign: { a: 'vars.nothing' } },
      ],
      [{ from: 's1', to: 's2' }],
    );
    expect((await step(flow, null, trigger, engineContext())).state.vars).toEqual({ b: 2 });
  });

  it('reads conversation variables as conversation.variables.x and never merges them into vars', async () => {
    const flow = flowOf([{ id: 's', type: 'set', assign: { copy: 'conversation.variables.plan', seen: 'vars.plan' } }]);
    const r = await step(flow, null, trigger, engineContext({}, { plan: 'gold' }));
    expect(r.state.vars).toEqual({ copy: 'gold' });
    expect('plan' in r.state.vars).toBe(false);
  });

  it('reads input.text on a trigger and session.locale', async () => {
    const flow = flowOf([{ id: 's', type: 'set', assign: { said: 'input.text', lang: 'session.locale' } }]);
    const r = await step(flow, null, { kind: 'trigger', text: 'where is my order' }, engineContext());
    expect(r.state.vars).toEqual({ said: 'where is my order', lang: 'en' });
  });

  it('rejects a function-valued assignment as an expression error', async () => {
    const flow = flowOf([{ id: 's', type: 'set', assign: { f: 'function($x) { $x }' } }]);
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 's' });
  });
});
