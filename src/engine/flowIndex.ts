// Lookup tables over a flow, built once per definition object (published versions are immutable).
import type { FlowDefinition } from './flowSchema.js';
import type { FlowNode } from './nodes/index.js';
import type { Port } from './nodes/types.js';

export interface FlowIndex {
  nodes: Map<string, FlowNode>;
  /** The node an edge leads to from (node, port), or `null` when there is no such edge. */
  next(from: string, port: Port): string | null;
}

const cache = new WeakMap<FlowDefinition, FlowIndex>();

export function flowIndex(flow: FlowDefinition): FlowIndex {
  const cached = cache.get(flow);
  if (cached) return cached;
  const nodes = new Map(flow.nodes.map((node) => [node.id, node]));
  const edges = new Map<string, string>();
  for (const edge of flow.edges) {
    const key = edgeKey(edge.from, edge.port ?? null);
    if (!edges.has(key)) edges.set(key, edge.to);
  }
  const index: FlowIndex = { nodes, next: (from, port) => edges.get(edgeKey(from, port)) ?? null };
  cache.set(flow, index);
  return index;
}

function edgeKey(from: string, port: Port): string {
  // Node ids cannot contain a NUL, so the key is unambiguous; `null` and a port named "" never collide.
  return port === null ? `${from}\u0000` : `${from}\u0000:${port}`;
}
