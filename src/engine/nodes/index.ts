// Node registry: type → module. Adding a node type (http, task, delay, subflow, llm, handoff) is one file plus one
// line here and one in nodeSchema's list.
import { z } from 'zod';
import type { Json, JsonObject } from '../types.js';
import { askNode } from './ask.js';
import { choiceNode } from './choice.js';
import { conditionNode } from './condition.js';
import { delayNode } from './delay.js';
import { endNode } from './end.js';
import { goalNode } from './goal.js';
import { handoffNode } from './handoff.js';
import { httpNode } from './http.js';
import { llmNode } from './llm.js';
import { messageNode } from './message.js';
import { setNode } from './set.js';
import { subflowNode } from './subflow.js';
import { taskNode } from './task.js';
import type { ExpressionSite, NodeOutcome, NodeRuntime, Port, PortSpec } from './types.js';

export const nodeSchema = z.discriminatedUnion('type', [
  messageNode.schema,
  askNode.schema,
  choiceNode.schema,
  conditionNode.schema,
  setNode.schema,
  goalNode.schema,
  endNode.schema,
  httpNode.schema,
  llmNode.schema,
  taskNode.schema,
  delayNode.schema,
  subflowNode.schema,
  handoffNode.schema,
]);
export type FlowNode = z.infer<typeof nodeSchema>;
export type NodeType = FlowNode['type'];

/** A module seen through the node union; each module only ever receives nodes of its own type. */
export interface AnyNodeModule {
  type: NodeType;
  schema: z.ZodType<FlowNode>;
  ports(node: FlowNode): PortSpec;
  expressions(node: FlowNode): ExpressionSite[];
  run(node: FlowNode, rt: NodeRuntime): Promise<NodeOutcome>;
  resume?(node: FlowNode, values: JsonObject, rt: NodeRuntime): Port;
  jobResult?(node: FlowNode, result: Json, rt: NodeRuntime): Port;
}

const modules = {
  message: messageNode,
  ask: askNode,
  choice: choiceNode,
  condition: conditionNode,
  set: setNode,
  goal: goalNode,
  end: endNode,
  http: httpNode,
  llm: llmNode,
  task: taskNode,
  delay: delayNode,
  subflow: subflowNode,
  handoff: handoffNode,
} satisfies { [K in NodeType]: { type: K } };

export const nodeTypes = Object.keys(modules) as NodeType[];

/** The module for a node type, or `undefined` for an unknown type. */
export function nodeModule(type: string): AnyNodeModule | undefined {
  if (!Object.hasOwn(modules, type)) return undefined;
  return modules[type as NodeType] as AnyNodeModule;
}
