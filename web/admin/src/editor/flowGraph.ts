import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import type { FlowDefinition, FlowEdgeDef, FlowNodeDef } from './nodeSpecs.js';

export interface Problem {
  nodeId?: string;
  path: string;
  message: string;
}

export interface FlowNodeData extends Record<string, unknown> {
  def: FlowNodeDef;
  problems: Problem[];
  isStart: boolean;
  changed?: 'added' | 'changed';
}

export type CanvasNode = Node<FlowNodeData, 'flow'>;

const NODE_WIDTH = 220;
const NODE_HEIGHT = 90;
/** The handle id of a node's unnamed port (xyflow needs an id; the flow file has no port). */
export const DEFAULT_PORT = 'out';

export function edgeOf(edge: FlowEdgeDef): Edge {
  const handle = edge.port ?? DEFAULT_PORT;
  return {
    id: `${edge.from}:${handle}->${edge.to}`,
    source: edge.from,
    sourceHandle: handle,
    target: edge.to,
    ...(edge.port !== undefined ? { label: edge.port } : {}),
  };
}

export function edgeDefOf(edge: Edge): FlowEdgeDef {
  const port = edge.sourceHandle && edge.sourceHandle !== DEFAULT_PORT ? edge.sourceHandle : undefined;
  return { from: edge.source, to: edge.target, ...(port !== undefined ? { port } : {}) };
}

/** Positions from dagre, top to bottom, for flows imported without a `layout`. */
export function autoLayout(nodes: FlowNodeDef[], edges: FlowEdgeDef[]): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const layout: Record<string, { x: number; y: number }> = {};
  for (const node of nodes) {
    const at = g.node(node.id);
    layout[node.id] = { x: Math.round((at?.x ?? 0) - NODE_WIDTH / 2), y: Math.round((at?.y ?? 0) - NODE_HEIGHT / 2) };
  }
  return layout;
}

export function canvasOf(definition: FlowDefinition): { nodes: CanvasNode[]; edges: Edge[] } {
  const defs = Array.isArray(definition.nodes) ? definition.nodes : [];
  const edgeDefs = Array.isArray(definition.edges) ? definition.edges : [];
  const hasLayout = defs.every((n) => definition.layout?.[n.id]);
  const layout = hasLayout ? definition.layout! : autoLayout(defs, edgeDefs);
  return {
    nodes: defs.map((def) => ({
      id: def.id,
      type: 'flow',
      position: layout[def.id] ?? { x: 0, y: 0 },
      data: { def, problems: [], isStart: def.id === definition.start },
    })),
    edges: edgeDefs.map(edgeOf),
  };
}

/** Back to a flow file: nodes and edges in canvas order, positions kept in `layout` (the engine ignores it). */
export function definitionOf(base: FlowDefinition, nodes: CanvasNode[], edges: Edge[], start: string): FlowDefinition {
  const { layout: _ignored, ...rest } = base;
  return {
    ...rest,
    start,
    nodes: nodes.map((n) => n.data.def),
    edges: edges.map(edgeDefOf),
    layout: Object.fromEntries(nodes.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }])),
  };
}
