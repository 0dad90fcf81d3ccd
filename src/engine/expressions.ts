// JSONata evaluation with a budget (§5.1): bounded length, wall-clock time and recursion depth, `$eval` disabled.
// The budget rides JSONata's __evaluate_entry/__evaluate_exit hooks, as the JSONata exerciser's timeboxExpression does.
// Those hooks only run between nodes, so what one node can build is bounded too (§2): regex literals run on re2js,
// builtins that build in one call check their arguments first (guardBuiltins), and every result's size is checked.
import jsonata from 'jsonata';
import { patternProblem } from '../security/linearPattern.js';
import { ExpressionError } from './expressionError.js';
import { expressionLimits, tooLarge, valueSize } from './expressionLimits.js';
import { guardBuiltins, loadBuiltins } from './guardBuiltins.js';
import { RegexEngine } from './regexEngine.js';
import type { Json, JsonObject } from './types.js';

export { ExpressionError } from './expressionError.js';

export const MAX_EXPRESSION_LENGTH = 2_000;
export const DEFAULT_MAX_DEPTH = 500;
const CACHE_LIMIT = 1_000;

/** The document every expression and template sees as its root. */
export interface ExpressionData {
  vars: JsonObject;
  conversation: { id: string; customer_id: string; variables: JsonObject };
  input: { text?: string; values?: JsonObject };
  session: { locale: string | null };
}

export interface EvalScope {
  data: ExpressionData;
  /** Wall-clock budget for one evaluation. */
  timeoutMs: number;
  /** Nesting limit for the evaluator (stops runaway recursion). */
  maxDepth?: number;
}

interface Budget {
  deadline: number;
  timeoutMs: number;
  depth: number;
  maxDepth: number;
}

// A binding name with a space: JSONata syntax cannot name it, so no expression can read or replace the budget.
const BUDGET = ' budget';
// JSONata looks its evaluation hooks up under these registry symbols; its typings only admit string names.
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry') as unknown as string;
const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit') as unknown as string;

const cache = new Map<string, jsonata.Expression>();
// Operands that JSONata walks whole in one step (`&` serialises them, `=`, `!=` and `in` compare them deeply).
const WHOLE_VALUE_OPERATORS = new Set(['&', '=', '!=', 'in']);
const wholeValueOperands = new WeakSet<object>();
const options = {
  // JSONata's typings want a RegExpConstructor; it only ever calls `new`, `exec` and `lastIndex` (see RegexEngine).
  RegexEngine: RegexEngine as unknown as RegExpConstructor,
  sequence: expressionLimits.sequence,
};

/** Parses (or fetches from cache) an expression; throws ExpressionError on a syntax error or an over-long source. */
export function compileExpression(source: string): jsonata.Expression {
  const cached = cache.get(source);
  if (cached) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, 'expression_too_long');
  }
  let expr: jsonata.Expression;
  try {
    expr = jsonata(source, options);
  } catch (err) {
    throw toExpressionError(err);
  }
  inspectTree(expr.ast());
  guardBuiltins(expr);
  expr.registerFunction('eval', () => {
    throw new ExpressionError('$eval is disabled', 'eval_disabled');
  });
  expr.assign(ENTRY_HOOK, enterNode);
  expr.assign(EXIT_HOOK, exitNode);
  cache.set(source, expr);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return expr;
}

/** For validation: the syntax problem of an expression, or `null` when it parses. */
export function expressionProblem(source: string): string | null {
  try {
    compileExpression(source);
    return null;
  } catch (err) {
    return err instanceof ExpressionError ? err.message : 'invalid expression';
  }
}

/** Evaluates an expression over `scope.data`; the result is plain JSON (`undefined` when JSONata yields nothing). */
export async function evaluateExpression(source: string, scope: EvalScope): Promise<Json | undefined> {
  const expr = compileExpression(source);
  const budget: Budget = {
    deadline: Date.now() + scope.timeoutMs,
    timeoutMs: scope.timeoutMs,
    depth: 0,
    maxDepth: scope.maxDepth ?? DEFAULT_MAX_DEPTH,
  };
  await loadBuiltins();
  let result: unknown;
  try {
    result = await expr.evaluate(scope.data, { [BUDGET]: budget });
  } catch (err) {
    throw toExpressionError(err);
  }
  // toJson copies the result: a value sharing one sub-value many times must be refused before that.
  if (valueSize(result) > expressionLimits.value) throw tooLarge('result');
  return toJson(result);
}

/**
 * Refuses regex literals the linear-time engine cannot run (backreferences, lookaround), so that validation names
 * them, and notes the operands JSONata walks whole, for exitNode. The AST is plain data; `seen` guards shared parts.
 */
function inspectTree(root: unknown, seen = new Set<object>()): void {
  if (typeof root !== 'object' || root === null || seen.has(root) || root instanceof RegExp) return;
  seen.add(root);
  const node = root as { type?: unknown; value?: unknown; position?: unknown; lhs?: unknown; rhs?: unknown };
  if (node.type === 'regex' && node.value instanceof RegExp) {
    const problem = patternProblem(node.value.source, node.value.flags);
    if (problem) {
      const at = typeof node.position === 'number' ? ` (at position ${node.position})` : '';
      throw new ExpressionError(
        `regular expression /${node.value.source}/ cannot be used: ${problem}${at}`,
        'regex_unsupported',
      );
    }
  }
  if (node.type === 'binary' && typeof node.value === 'string' && WHOLE_VALUE_OPERATORS.has(node.value)) {
    for (const operand of [node.lhs, node.rhs])
      if (typeof operand === 'object' && operand) wholeValueOperands.add(operand);
  }
  for (const child of Object.values(root)) inspectTree(child, seen);
}

function enterNode(_expr: unknown, _input: unknown, environment: jsonata.Environment): void {
  const budget = findBudget(environment);
  if (!budget) return;
  budget.depth++;
  checkBudget(budget);
}

function exitNode(expr: object, _input: unknown, environment: jsonata.Environment, result: unknown): void {
  const budget = findBudget(environment);
  if (!budget) return;
  budget.depth--;
  checkBudget(budget);
  checkResult(expr, result);
}

/** Stops a value that is already too large before anything builds on it (cheap except for whole-value operands). */
function checkResult(expr: object, result: unknown): void {
  if (typeof result === 'string' && result.length > expressionLimits.string) throw tooLarge('string');
  if (Array.isArray(result) && result.length > expressionLimits.sequence) throw tooLarge('array');
  if (typeof result === 'object' && result !== null && wholeValueOperands.has(expr)) {
    if (valueSize(result) > expressionLimits.value) throw tooLarge('operand');
  }
}

function findBudget(environment: jsonata.Environment): Budget | undefined {
  return environment.lookup(BUDGET) as Budget | undefined;
}

function checkBudget(budget: Budget): void {
  if (budget.depth > budget.maxDepth) {
    throw new ExpressionError(
      `expression nested deeper than ${budget.maxDepth} levels (non-terminating recursion?)`,
      'expression_too_deep',
    );
  }
  if (Date.now() > budget.deadline) {
    throw new ExpressionError(
      `expression ran longer than ${budget.timeoutMs} ms (infinite loop?)`,
      'expression_timeout',
    );
  }
}

function toExpressionError(err: unknown): ExpressionError {
  if (err instanceof ExpressionError) return err;
  if (err instanceof RangeError) return new ExpressionError('expression recursed too deeply', 'expression_too_deep');
  if (typeof err === 'object' && err !== null) {
    const { code, message, position } = err as { code?: unknown; message?: unknown; position?: unknown };
    const text = typeof message === 'string' && message !== '' ? message : 'expression failed';
    const at = typeof position === 'number' ? ` (at position ${position})` : '';
    return new ExpressionError(`${text}${at}`, typeof code === 'string' ? code : 'expression_error');
  }
  return new ExpressionError('expression failed', 'expression_error');
}

/** JSONata results may be sequences or functions; only plain JSON may flow into vars and blocks. */
function toJson(value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ExpressionError('expression returned a non-finite number', 'invalid_result');
    return value;
  }
  if (typeof value === 'function' || isLambda(value)) {
    throw new ExpressionError('expression returned a function, not a value', 'invalid_result');
  }
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (const item of value) {
      const json = toJson(item);
      if (json !== undefined) items.push(json);
    }
    return items;
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const json = toJson(item);
      if (json !== undefined) out[key] = json;
    }
    return out;
  }
  throw new ExpressionError(`expression returned an unsupported ${typeof value}`, 'invalid_result');
}

function isLambda(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '_jsonata_lambda' in value;
}
