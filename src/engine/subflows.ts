// Helpers for the service that preloads what subflow nodes need (EngineContext.flows) before calling step().
import type { FlowDefinition } from './flowSchema.js';
import type { ExecutionState } from './types.js';

/** The intents the subflow nodes of one flow name, each once, in node order (not transitive: follow them yourself). */
export function subflowIntents(flow: FlowDefinition): string[] {
  const intents = new Set<string>();
  for (const node of flow.nodes) if (node.type === 'subflow') intents.add(node.intent);
  return [...intents];
}

/** The flow versions pinned by the subflows an execution is inside, outermost first (empty when none runs). */
export function frameVersionIds(state: ExecutionState | null): string[] {
  return state?.frames?.map((frame) => frame.versionId) ?? [];
}
