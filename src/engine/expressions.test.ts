import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  type EvalScope,
  ExpressionError,
  evaluateExpression,
  expressionProblem,
  MAX_EXPRESSION_LENGTH,
} from './expressions.js';
import { guards, loadBuiltins, originalBuiltin } from './guardBuiltins.js';

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

describe('regular expressions', () => {
  it('runs regex literals on the linear-time engine: a catastrophic pattern evaluates to false', async () => {
    const s = scope();
    s.data.input = { text: `${'a'.repeat(32)}!` };
    // Held the process for 130 s on a backtracking RegExp.
    expect(await evaluateExpression('$contains($string(input.text), /^(a+)+$/)', s)).toBe(false);
    s.data.input = { text: 'a'.repeat(32) };
    expect(await evaluateExpression('$contains(input.text, /^(a+)+$/)', s)).toBe(true);
  });

  it('keeps $match, $replace and $split results as with RegExp', async () => {
    expect(await evaluateExpression('$match("abcab", /a(b)(c)?/)', scope())).toEqual([
      { match: 'abc', index: 0, groups: ['b', 'c'] },
      { match: 'ab', index: 3, groups: ['b'] },
    ]);
    expect(await evaluateExpression('$match("Ab ab", /ab/i, 1).index', scope())).toBe(0);
    expect(await evaluateExpression('$replace("hello world", /o/, "0")', scope())).toBe('hell0 w0rld');
    expect(await evaluateExpression('$replace("abc", /(b)/, "[$1$0]")', scope())).toBe('a[bb]c');
    expect(await evaluateExpression('$replace("a-b-c", /-/, "+", 1)', scope())).toBe('a+b-c');
    expect(await evaluateExpression('$split("a1b22c", /[0-9]+/)', scope())).toEqual(['a', 'b', 'c']);
    expect(await evaluateExpression('"😀ab😀b" ~> $match(/b/) ~> $map(function($m) { $m.index })', scope())).toEqual([
      3, 6,
    ]);
    expect(await evaluateExpression('$contains("x\ny", /^y$/m)', scope())).toBe(true);
    expect((await failure('$match("abc", /x*/)')).code).toBe('D1004');
  });

  it('refuses backreferences and lookaround when the expression is compiled', () => {
    for (const literal of ['/(a)\\1/', '/(?=a)b/', '/(?!a)b/', '/(?<=a)b/', '/(?<!a)b/']) {
      expect(expressionProblem(`$contains(input.text, ${literal})`)).toMatch(
        /regular expression .* cannot be used: .*no backreferences or lookaround\) \(at position \d+\)/,
      );
    }
    expect(() => compileExpression('$match(input.text, /(x)\\1/)')).toThrow(ExpressionError);
  });

  it('caps the matches one scan may walk through', async () => {
    const err = await failure('$count($match($pad("", 20000, "a"), /a/))');
    expect(err.code).toBe('expression_too_large');
    expect(await evaluateExpression('$count($match($pad("", 1000, "a"), /a/))', scope())).toBe(1000);
  });
});

describe('size bounds', () => {
  it.each([
    ['$pad("x", 1e9)', /\$pad width/],
    ['$pad("x", -1e9)', /\$pad width/],
    ['$pad("x", 6e5, "ab")', /\$pad width/],
    ['$join($map([1..2000], function() { $pad("", 1000, "x") }), "")', /\$join result/],
    ['$length($string([1..600000]))', /\$string value/],
    ['($s := $pad("x", 9e5); $length($s & $s))', /string is too large/],
    ['$replace($pad("", 100000, "a"), "a", $pad("", 100, "b"))', /\$replace result/],
    ['$replace($pad("", 4000, "a"), /a/, $pad("", 300, "$0"))', /\$replace result/],
    ['$count([1..1e7])', /sequence/],
    ['$count($distinct([1..10000]))', /\$distinct input/],
    ['($f := function($n, $x) { $n = 0 ? $x : $f($n - 1, {"a": $x, "b": $x}) }; $f(40, "x"))', /result is too large/],
    [
      '($f := function($n, $x) { $n = 0 ? $x : $f($n - 1, {"a": $x, "b": $x}) }; $x := $f(40, "x"); $x = $x)',
      /operand is too large/,
    ],
  ])('stops %s before it is built', async (source, message) => {
    const err = await failure(source, scope({ timeoutMs: 10_000 }));
    expect(err.message).toMatch(message);
    expect(['expression_too_large', 'D2014', 'D2015']).toContain(err.code);
  });

  it('lets values within the bounds through', async () => {
    expect(await evaluateExpression('$length($pad("x", 1000))', scope())).toBe(1000);
    expect(await evaluateExpression('$pad("7", -3, "0")', scope())).toBe('007');
    expect(await evaluateExpression('$join(["a", "b"], ", ")', scope())).toBe('a, b');
    expect(await evaluateExpression('$string({"a": [1, 2.5]})', scope())).toBe('{"a":[1,2.5]}');
    expect(await evaluateExpression('$string({"a": 1}, true)', scope())).toBe('{\n  "a": 1\n}');
    expect(await evaluateExpression('$replace("aaa", "a", "bb")', scope())).toBe('bbbbbb');
    expect(await evaluateExpression('$distinct([1, 2, 1, {"a": 1}, {"a": 1}])', scope())).toEqual([1, 2, { a: 1 }]);
    expect(await evaluateExpression('$count([1..1000])', scope())).toBe(1000);
  });

  it("declares each guarded builtin with JSONata's own signature", async () => {
    await loadBuiltins();
    for (const [name, guard] of Object.entries(guards)) {
      expect(originalBuiltin(name)?.signature.definition).toBe(guard.signature);
    }
  });
});
