// Types shared by the pure engine core and the services that persist its results.
// The engine never touches HTTP or the database: it maps (flow, state, input) to (state', blocks, status, effects).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ExecutionStatus = 'running' | 'waiting_input' | 'waiting_time' | 'completed' | 'failed' | 'aborted';
export type EndStatus = Extract<ExecutionStatus, 'completed' | 'failed' | 'aborted'>;

/** Execution codes carried in a failed execution's `error.code` (DESIGN §12). */
export type ExecutionErrorCode =
  | 'step_limit_exceeded'
  | 'expression_error'
  | 'http_error'
  | 'llm_error'
  | 'llm_invalid_output'
  | 'llm_budget_exceeded'
  | 'timeout';

export interface ExecutionError {
  code: ExecutionErrorCode;
  message: string;
  nodeId?: string;
}

/** One entry of the step trace kept with the execution (shown to operators, never to widgets). */
export interface TraceEntry {
  nodeId: string;
  type: string;
  port?: string;
  /** A warning raised while running the node, e.g. a dropped unsafe URL. */
  warning?: string;
}

/** Durable engine state stored with the execution (JSON). */
export interface ExecutionState {
  /** Node to run next, or the node the execution waits on. `null` once ended. */
  position: string | null;
  /** The execution's own variables (`vars` in expressions). Never holds client-sent conversation variables. */
  vars: JsonObject;
  /** Steps run over the whole execution, for the operator's view. */
  steps: number;
}

/** What a turn feeds into the engine. Resume values are validated by the caller before they reach the engine. */
export type EngineInput = { kind: 'trigger'; text?: string } | { kind: 'resume'; values: JsonObject };

export interface EngineContext {
  conversation: { id: string; customer_id: string; variables: JsonObject };
  session: { locale: string | null };
  /** Per-turn guard against runaway loops (DESIGN §5, default 1,000). */
  maxSteps: number;
  /** Wall-clock budget for one expression evaluation, in ms. */
  expressionTimeoutMs: number;
}

/** Effects are side effects the service performs in the same transaction as the new state. */
export type Effect = { type: 'goal'; goal: string; nodeId: string };

export interface InputWait {
  type: 'input';
  nodeId: string;
  fields: import('../fields/types.js').Field[];
  submitLabel?: string;
}

export interface StepResult {
  state: ExecutionState;
  /** Blocks produced this turn, in order, without id/seq (the service assigns those). */
  blocks: import('./blocks.js').BlockBody[];
  status: Exclude<ExecutionStatus, 'running'>;
  wait?: InputWait;
  error?: ExecutionError;
  /** Set when status is `aborted`. */
  reason?: string;
  effects: Effect[];
  trace: TraceEntry[];
}
