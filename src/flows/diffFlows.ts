import { isDeepStrictEqual } from 'node:util';
import type { FlowDefinition } from '../engine/validateFlow.js';

export interface FlowDiff {
  nodes: { added: string[]; removed: string[]; changed: string[] };
  /** Edges are named `from[:port]->to`. */
  edges: { added: string[]; removed: string[] };
  /** The intent (name, description, examples, required entities) or the start node changed. */
  intentChanged: boolean;
  startChanged: boolean;
}

function edgeName(edge: FlowDefinition['edges'][number]): string {
  return `${edge.from}${edge.port ? `:${edge.port}` : ''}->${edge.to}`;
}

/** What changed from `a` to `b`, per node and edge; the canvas layout is not behaviour, so it is ignored. */
export function diffFlows(a: FlowDefinition, b: FlowDefinition): FlowDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));
  const edgesBefore = new Set(a.edges.map(edgeName));
  const edgesAfter = new Set(b.edges.map(edgeName));
  return {
    nodes: {
      added: [...after.keys()].filter((id) => !before.has(id)),
      removed: [...before.keys()].filter((id) => !after.has(id)),
      changed: [...after.keys()].filter((id) => before.has(id) && !isDeepStrictEqual(before.get(id), after.get(id))),
    },
    edges: {
      added: [...edgesAfter].filter((e) => !edgesBefore.has(e)),
      removed: [...edgesBefore].filter((e) => !edgesAfter.has(e)),
    },
    intentChanged: !isDeepStrictEqual(a.intent, b.intent),
    startChanged: a.start !== b.start,
  };
}
