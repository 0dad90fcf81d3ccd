import type { BlockBody } from '../engine/blocks.js';
import type { ExecutionErrorCode, Json, StepResult } from '../engine/types.js';
import { storableText, unstorableString } from '../engine/unstorableString.js';

/**
 * The last guard before a turn's write: a step result holding text PostgreSQL cannot store (NUL, a lone surrogate)
 * would make the write throw — a 500 for an inline turn, a retried job for a worker. The engine and the job worker
 * already fail a node on such text where it enters (expression results, job results); anything that still slips
 * through fails the execution here with the code of the node that ran last, and what is kept for the operator
 * (vars, blocks, trace) has the offending characters replaced by U+FFFD. The result is returned unchanged otherwise.
 */
export function storableStep(result: StepResult): StepResult {
  const path = unstorableString(result, 'result');
  if (!path) return result;
  const last = result.trace.at(-1);
  const code = failureCode(last?.type);
  const message = `${last ? `node "${last.nodeId}": ` : ''}the step produced text that cannot be stored (${path})`;
  const error = { code, message, ...(last ? { nodeId: last.nodeId } : {}) };
  const errorBlock: BlockBody = { type: 'error', code, message };
  return {
    state: { position: null, vars: scrub(result.state.vars), steps: result.state.steps },
    // The turn's blocks up to the failure still reach the visitor, then the error block (as the engine's own fail).
    blocks: [...(scrub(result.blocks as unknown as Json[]) as unknown as BlockBody[]), errorBlock],
    status: 'failed',
    error,
    // Goals hit this turn were hit; the job of a wait that will not happen is dropped.
    effects: result.effects.filter((e) => e.type === 'goal'),
    trace: scrub(result.trace as unknown as Json[]) as unknown as StepResult['trace'],
  };
}

function failureCode(nodeType: string | undefined): ExecutionErrorCode {
  if (nodeType === 'http') return 'http_error';
  if (nodeType === 'task') return 'task_error';
  if (nodeType === 'llm') return 'llm_error';
  return 'expression_error';
}

function scrub<T extends Json>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((item) => scrub(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), scrub(v)])) as T;
  }
  return value;
}
