// JSONata evaluation with a budget (§5.1): bounded length, wall-clock time and recursion depth, `$eval` disabled.
// The budget rides JSONata's __evaluate_entry/__evaluate_exit hooks, as the JSONata exerciser's timeboxExpression does.
import jsonata from 'jsonata';
import type { Json, JsonObject } from './types.js';

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

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** A JSONata code (e.g. `S0201`, `T2001`) or one of ours (`expression_timeout`, `expression_too_deep`, ...). */
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
    // Expression errors are shown to flow authors and operators; engine stack frames only add noise.
    this.stack = `${this.name}: ${message}`;
  }
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
    expr = jsonata(source);
  } catch (err) {
    throw toExpressionError(err);
  }
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
  let result: unknown;
  try {
    result = await expr.evaluate(scope.data, { [BUDGET]: budget });
  } catch (err) {
    throw toExpressionError(err);
  }
  return toJson(result);
}

function enterNode(_expr: unknown, _input: unknown, environment: jsonata.Environment): void {
  const budget = findBudget(environment);
  if (!budget) return;
  budget.depth++;
  checkBudget(budget);
}

function exitNode(_expr: unknown, _input: unknown, environment: jsonata.Environment): void {
  const budget = findBudget(environment);
  if (!budget) return;
  budget.depth--;
  checkBudget(budget);
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
