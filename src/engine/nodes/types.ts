// The contract every node type implements. A new node type is one file exporting a NodeModule, registered in index.ts.
import type { z } from 'zod';
import type { Field } from '../../fields/types.js';
import type { BlockBody } from '../blocks.js';
import type { EvalScope } from '../expressions.js';
import type { UrlKind } from '../safeUrl.js';
import type { TemplateMode } from '../templates.js';
import type { Effect, ExecutionErrorCode, JobRequest, Json, JsonObject } from '../types.js';

/** An outgoing port; `null` is the unnamed default port (an edge without `port`). */
export type Port = string | null;

export interface PortSpec {
  /** Ports that must each have exactly one outgoing edge. */
  required: readonly Port[];
  /** Ports an outgoing edge may use; an edge on any other port is a validation problem. */
  allowed: readonly Port[];
}

/** A place in a node where the author wrote JSONata, checked by validateFlow. */
export interface ExpressionSite {
  /** Path inside the node, e.g. `['blocks', 0, 'text']`. */
  path: (string | number)[];
  source: string;
  kind: 'expression' | 'template';
  /** Set when the rendered template is a URL that must pass safeUrl. */
  url?: UrlKind;
}

/** What a node can do while it runs; the walker in step.ts provides it. */
export interface NodeRuntime {
  /** The execution's variables, live: writes are visible to later expressions in the same turn. */
  readonly vars: JsonObject;
  readonly scope: EvalScope;
  /** The turn's clock (EngineContext.now). */
  readonly now: Date;
  evaluate(source: string): Promise<Json | undefined>;
  render(template: string, mode: TemplateMode): Promise<string>;
  emit(block: BlockBody): void;
  effect(effect: Effect): void;
  /** Records a warning in the step trace (operators see it, widgets never do). */
  warn(message: string): void;
}

export type NodeOutcome =
  | { kind: 'next'; port: Port }
  | { kind: 'wait'; fields: Field[]; submitLabel?: string }
  /** `final`: the whole execution ends here, even inside a subflow (a handoff), not just the current flow. */
  | { kind: 'end'; status: 'completed' | 'aborted'; reason?: string; final?: boolean }
  /** Hand the work to a queue worker and wait (`waiting_time`); `runAt` (ISO) delays it. */
  | { kind: 'job'; job: JobRequest; runAt?: string }
  /** Run the tenant's published flow of `intent` inline, then continue on the default port. */
  | { kind: 'subflow'; intent: string }
  /** Fail the execution; the walker names the node in the message. */
  | { kind: 'fail'; code: ExecutionErrorCode; message: string };

export interface NodeBase {
  id: string;
  type: string;
}

export interface NodeModule<S extends z.ZodType<NodeBase>> {
  type: z.infer<S>['type'];
  /** Strict schema of the node's JSON, `id` and `type` included. */
  schema: S;
  ports(node: z.infer<S>): PortSpec;
  expressions(node: z.infer<S>): ExpressionSite[];
  run(node: z.infer<S>, rt: NodeRuntime): Promise<NodeOutcome>;
  /** Waiting nodes only: applies resume values (already validated) and returns the port to follow. */
  resume?(node: z.infer<S>, values: JsonObject, rt: NodeRuntime): Port;
  /** Async nodes only (those whose run returns `job`): applies the job's result and returns the port to follow. */
  jobResult?(node: z.infer<S>, result: Json, rt: NodeRuntime): Port;
}

/** Identity helper that keeps a module's precise schema type for the registry's discriminated union. */
export function defineNode<S extends z.ZodType<NodeBase>>(module: NodeModule<S>): NodeModule<S> {
  return module;
}
