// Validates a flow definition on save and publish (§5), listing every problem at once, each with its node id.
import { type CheckedEdge, checkGraph } from './checkGraph.js';
import { type CheckedNode, checkNodes } from './checkNodes.js';
import { type FlowProblem, issueProblems, problem } from './flowProblems.js';
import { edgeSchema, type FlowDefinition, flowEnvelopeSchema, flowSchema } from './flowSchema.js';

export type { FlowProblem } from './flowProblems.js';
export type { FlowDefinition } from './flowSchema.js';

export type ValidateFlowResult = { ok: true; flow: FlowDefinition } | { ok: false; problems: FlowProblem[] };

export function validateFlow(def: unknown): ValidateFlowResult {
  const problems: FlowProblem[] = [];
  const envelope = flowEnvelopeSchema.safeParse(def);
  if (!envelope.success) problems.push(...issueProblems(envelope.error.issues, []));

  // Keep checking whatever can be read, so one save reports everything.
  const raw = typeof def === 'object' && def !== null && !Array.isArray(def) ? (def as Record<string, unknown>) : {};
  const nodes = checkNodes(Array.isArray(raw.nodes) ? raw.nodes : [], problems);
  const edges: CheckedEdge[] = [];
  (Array.isArray(raw.edges) ? raw.edges : []).forEach((item: unknown, index) => {
    const parsed = edgeSchema.safeParse(item);
    if (parsed.success) edges.push({ index, edge: parsed.data });
  });
  checkGraph(nodes, edges, raw.start, problems);
  checkSubflows(nodes, raw.intent, problems);

  if (problems.length > 0) return { ok: false, problems };
  const flow = flowSchema.safeParse(def);
  return flow.success ? { ok: true, flow: flow.data } : { ok: false, problems: issueProblems(flow.error.issues, []) };
}

/** A subflow naming its own flow's intent would call itself on every pass: reject it on save. */
function checkSubflows(nodes: readonly CheckedNode[], intent: unknown, problems: FlowProblem[]): void {
  const name = typeof intent === 'object' && intent !== null ? (intent as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return;
  for (const checked of nodes) {
    if (checked.node?.type === 'subflow' && checked.node.intent === name) {
      const message = `a subflow cannot run its own flow's intent "${name}" (it would recurse)`;
      problems.push(problem(['nodes', checked.index, 'intent'], message, checked.id));
    }
  }
}
