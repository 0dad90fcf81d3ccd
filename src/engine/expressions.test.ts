import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  type EvalScope,
  ExpressionError,
  evaluateExpression,
  expressionProblem,
  MAX_EXPRESSION_LENGTH,
} from './expressions.js';

const scope = (overrides: Partial<EvalScope> = {}): EvalScope => ({
  data: {
    vars: { order_number: '12345', items: [{ price: 2 }, { price: 3 }] },
    conversation: { id: 'c1', customer_id: 'u1', variables: { plan: 'gold' } },
    input: { text: 'hello' },
    session: { locale: 'de' },
  },
  timeoutMs: 250,
  ...overrides,
});

async function failure(source: string, s = scope()): Promise<ExpressionError> {
  try {
    await evaluateExpression(source, s);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('evaluateExpression', () => {
  it('reads vars, conversation, input and session', async () => {
    expect(await evaluateExpression('vars.order_number', scope())).toBe('12345');
    expect(await evaluateExpression('$sum(vars.items.price)', scope())).toBe(5);
    expect(await evaluateExpression('conversation.variables.plan & "/" & conversation.customer_id', scope())).toBe(
      'gold/u1',
    );
    expect(await evaluateExpression('input.text', scope())).toBe('hello');
    expect(await evaluateExpression('session.locale', scope())).toBe('de');
    expect(await evaluateExpression('vars.missing', scope())).toBeUndefined();
  });

  it('returns plain JSON, never JSONata sequences', async () => {
    const value = await evaluateExpression('vars.items.price', scope());
    expect(value).toEqual([2, 3]);
    expect(Object.keys(value as object)).toEqual(['0', '1']);
    expect(await evaluateExpression('{"a": vars.order_number, "b": vars.nope}', scope())).toEqual({ a: '12345' });
  });

  it('rejects a function as a result', async () => {
    expect((await failure('function($x) { $x }')).code).toBe('invalid_result');
  });

  it('has $eval disabled, so no string becomes an expression', async () => {
    const err = await failure('$eval("1 + 1")');
    expect(err.code).toBe('eval_disabled');
    expect(err.message).toMatch(/\$eval is disabled/);
    const viaData = scope();
    viaData.data.conversation.variables = { code: '$string(1)' };
    expect((await failure('$eval(conversation.variables.code)', viaData)).code).toBe('eval_disabled');
  });

  it('stops non-terminating recursion with the depth budget', async () => {
    const err = await failure('($f := function($n) { 1 + $f($n + 1) }; $f(0))');
    expect(err.code).toBe('expression_too_deep');
  });

  it('stops an endless tail-recursive loop with the time budget', async () => {
    const started = Date.now();
    const err = await failure('($f := function($n) { $f($n + 1) }; $f(0))', scope({ timeoutMs: 50 }));
    expect(err.code).toBe('expression_timeout');
    expect(err.message).toMatch(/longer than 50 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('allows legitimate recursion within the budget', async () => {
    const source = '($f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))';
    expect(await evaluateExpression(source, scope())).toBe(3628800);
  });

  it('keeps budgets per evaluation even for a shared compiled expression', async () => {
    const source = '($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(vars.n))';
    const deep = scope({ maxDepth: 40 });
    deep.data.vars = { n: 100 };
    const shallow = scope();
    shallow.data.vars = { n: 5 };
    const [a, b] = await Promise.allSettled([evaluateExpression(source, deep), evaluateExpression(source, shallow)]);
    expect(a.status).toBe('rejected');
    expect(b).toEqual({ status: 'fulfilled', value: 5 });
  });

  it('turns runtime errors into ExpressionError with a message and no stack frames', async () => {
    const err = await failure('vars.order_number + 1');
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe('T2001');
    expect(err.message).toMatch(/must evaluate to a number/);
    expect(err.stack).toBe(`ExpressionError: ${err.message}`);
  });
});

describe('compileExpression', () => {
  it('rejects syntax errors and over-long sources', () => {
    expect(() => compileExpression('vars.(')).toThrow(ExpressionError);
    expect(expressionProblem('vars.a = ')).toMatch(/position/);
    expect(expressionProblem('vars.a = 1')).toBeNull();
    expect(expressionProblem(`"${'a'.repeat(MAX_EXPRESSION_LENGTH)}"`)).toMatch(/longer than 2000/);
  });

  it('caches compiled expressions by source', () => {
    expect(compileExpression('1 + 2')).toBe(compileExpression('1 + 2'));
  });
});
