// Types shared by the pure engine core and the services that persist its results.
// The engine never touches HTTP or the database: it maps (flow, state, input) to (state', blocks, status, effects).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ExecutionStatus = 'running' | 'waiting_input' | 'waiting_time' | 'completed' | 'failed' | 'aborted';
export type EndStatus = Extract<ExecutionStatus, 'completed' | 'failed' | 'aborted'>;
/** Statuses of an execution still in progress; a conversation has at most one (a unique index). */
export const OPEN_STATUSES = ['running', 'waiting_input', 'waiting_time'] as const satisfies readonly ExecutionStatus[];

/** Execution codes carried in a failed execution's `error.code` (DESIGN §12). */
export type ExecutionErrorCode =
  | 'step_limit_exceeded'
  | 'expression_error'
  | 'http_error'
  | 'llm_error'
  | 'llm_invalid_output'
  | 'llm_budget_exceeded'
  | 'timeout'
  /** A `subflow` node names an intent the tenant has no published flow for. */
  | 'subflow_not_found'
  /** A `task` node's handler is missing, or failed for good. */
  | 'task_error';

export interface ExecutionError {
  code: ExecutionErrorCode;
  message: string;
  nodeId?: string;
}

/** One entry of the step trace kept with the execution (shown to operators, never to widgets). */
export interface TraceEntry {
  nodeId: string;
  type: string;
  /** The intent of the subflow the node belongs to; absent for nodes of the execution's own flow. */
  flow?: string;
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
  /**
   * Running subflows, outermost first (absent or empty: the execution is in its own flow). While frames exist,
   * `position` names a node of the innermost frame's flow version.
   */
  frames?: ExecutionFrame[];
}

/** One running subflow: its pinned flow version and where the calling flow continues once it completes. */
export interface ExecutionFrame {
  versionId: string;
  /** The caller's node to continue with when the subflow completes; `null`: the caller completes too. */
  returnTo: string | null;
}

/** What a turn feeds into the engine. Resume values are validated by the caller before they reach the engine. */
export type EngineInput =
  | { kind: 'trigger'; text?: string }
  | { kind: 'resume'; values: JsonObject }
  /** The job of the async node `nodeId` (the execution's position) succeeded with `result`. */
  | { kind: 'job_result'; nodeId: string; result: Json }
  /** The job of the async node `nodeId` failed for good (retries exhausted); the execution fails with `error`. */
  | { kind: 'job_failed'; nodeId: string; error: { code: ExecutionErrorCode; message: string } };

/** Published flows of the tenant, preloaded by the service (the engine never reads the database). */
export interface FlowCatalog {
  /** The tenant's published flow for an intent, or `undefined` when there is none. */
  published(intent: string): { versionId: string; flow: import('./flowSchema.js').FlowDefinition } | undefined;
  /** A flow version by id (a subflow pinned in `ExecutionState.frames`). */
  version(versionId: string): import('./flowSchema.js').FlowDefinition | undefined;
}

export interface EngineContext {
  conversation: { id: string; customer_id: string; variables: JsonObject };
  session: { locale: string | null };
  /** Per-turn guard against runaway loops (DESIGN §5, default 1,000). */
  maxSteps: number;
  /** Wall-clock budget for one expression evaluation, in ms. */
  expressionTimeoutMs: number;
  /**
   * The turn's clock, used for `delay` times (keeps the engine deterministic). Meant to be required; optional while
   * callers outside the engine catch up, falling back to `new Date()` once per step.
   */
  now?: Date;
  /** Needed by `subflow` nodes and to resume inside a subflow; without it a subflow fails `subflow_not_found`. */
  flows?: FlowCatalog;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An HTTP call through a named Connection; `path` is relative to the connection's base URL, values encoded. */
export interface HttpJobRequest {
  kind: 'http';
  connection: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Json;
  timeoutMs?: number;
}

export interface TaskJobRequest {
  kind: 'task';
  task: string;
  input: Json;
}

export interface DelayJobRequest {
  kind: 'delay';
}

/** One message of an `llm` call as the engine rendered it; `history` turns are added by the worker. */
export interface LlmMessage {
  role: 'system' | 'user';
  content: string;
}

/** An `llm` node's call (DESIGN §6): rendered prompts, the model, and what the worker checks the answer against. */
export interface LlmJobRequest {
  kind: 'llm';
  connection: string;
  /** Absent: the connection's default model. */
  model?: string;
  messages: LlmMessage[];
  /** Turns of the conversation's transcript to include before the prompt (read by the worker). */
  history?: number;
  /** JSON Schema the answer must parse and validate against (one repair attempt, else `llm_invalid_output`). */
  jsonSchema?: JsonObject;
  /** Whether the answer becomes a `markdown` block (and its text is streamed as `token` events). */
  emit: boolean;
  maxTokens?: number;
  temperature?: number;
  timeoutMs?: number;
}

/** The work a queue worker performs for an async node before it calls `step` again with the outcome. */
export type JobRequest = HttpJobRequest | TaskJobRequest | DelayJobRequest | LlmJobRequest;

export interface GoalEffect {
  type: 'goal';
  goal: string;
  nodeId: string;
}

export interface JobEffect {
  type: 'job';
  nodeId: string;
  job: JobRequest;
  /** ISO time the job runs at (`delay` only); absent: run now. */
  runAt?: string;
}

/** A `handoff` node ran: the service tells the business (`chat.handoff.requested` webhook) with the turn. */
export interface HandoffEffect {
  type: 'handoff';
  nodeId: string;
  queue: string | null;
  message: string | null;
}

/** Effects are side effects the service performs in the same transaction as the new state. */
export type Effect = GoalEffect | JobEffect | HandoffEffect;

export interface InputWait {
  type: 'input';
  nodeId: string;
  fields: import('../fields/types.js').Field[];
  submitLabel?: string;
}

/** The execution waits for a job (status `waiting_time`). */
export interface TimeWait {
  type: 'time';
  nodeId: string;
  /** ISO time a `delay` resumes at. */
  resumeAt?: string;
}

export type Wait = InputWait | TimeWait;

export interface StepResult {
  state: ExecutionState;
  /** Blocks produced this turn, in order, without id/seq (the service assigns those). */
  blocks: import('./blocks.js').BlockBody[];
  status: Exclude<ExecutionStatus, 'running'>;
  wait?: Wait;
  error?: ExecutionError;
  /** Set when status is `aborted`. */
  reason?: string;
  effects: Effect[];
  trace: TraceEntry[];
}
