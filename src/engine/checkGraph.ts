// Graph checks of validateFlow: start, dangling edges, ports (allowed, required, duplicated) and reachability.
import { bestEffort, type CheckedNode } from './checkNodes.js';
import { type FlowProblem, problem } from './flowProblems.js';
import type { FlowEdge } from './flowSchema.js';
import { nodeModule } from './nodes/index.js';
import type { Port, PortSpec } from './nodes/types.js';

export interface CheckedEdge {
  index: number;
  edge: FlowEdge;
}

export function checkGraph(
  nodes: readonly CheckedNode[],
  edges: readonly CheckedEdge[],
  start: unknown,
  problems: FlowProblem[],
): void {
  const byId = new Map<string, CheckedNode>();
  for (const node of nodes) if (node.id !== undefined && !byId.has(node.id)) byId.set(node.id, node);

  const startKnown = typeof start === 'string' && byId.has(start);
  if (typeof start === 'string' && !startKnown)
    problems.push(problem(['start'], `start node "${start}" does not exist`));

  const used = new Map<string, Set<Port>>();
  for (const { index, edge } of edges) {
    const from = byId.get(edge.from);
    if (!from) problems.push(problem(['edges', index, 'from'], `edge from unknown node "${edge.from}"`));
    if (!byId.has(edge.to))
      problems.push(problem(['edges', index, 'to'], `edge to unknown node "${edge.to}"`, from?.id));
    if (!from) continue;
    const port: Port = edge.port ?? null;
    const ports = used.get(edge.from) ?? new Set<Port>();
    used.set(edge.from, ports);
    if (ports.has(port)) {
      problems.push(problem(['edges', index], `second edge from "${edge.from}" on ${portName(port)}`, edge.from));
    }
    ports.add(port);
    const spec = portsOf(from);
    if (spec && !spec.allowed.includes(port)) {
      problems.push(
        problem(['edges', index, ...(port === null ? [] : ['port'])], portMisuse(from, port, spec.allowed), edge.from),
      );
    }
  }

  for (const node of nodes) {
    if (node.id === undefined || byId.get(node.id) !== node) continue;
    for (const port of new Set(portsOf(node)?.required ?? [])) {
      if (!used.get(node.id)?.has(port)) {
        problems.push(problem(['nodes', node.index], `missing edge for ${portName(port)}`, node.id));
      }
    }
  }

  if (startKnown) {
    const reached = reachable(start, edges);
    for (const node of nodes) {
      if (node.id !== undefined && byId.get(node.id) === node && !reached.has(node.id)) {
        problems.push(problem(['nodes', node.index], 'node is not reachable from start', node.id));
      }
    }
  }
}

function reachable(start: string, edges: readonly CheckedEdge[]): Set<string> {
  const next = new Map<string, string[]>();
  for (const { edge } of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const seen = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const to of next.get(id) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** The node's ports; for a node that failed its schema, only ports that could be read as port names. */
function portsOf(checked: CheckedNode): PortSpec | undefined {
  const node = checked.node;
  if (!node) return undefined;
  const spec = bestEffort(() => nodeModule(node.type)?.ports(node));
  if (!spec || checked.valid) return spec;
  const readable = (ports: readonly Port[]) => ports.filter((port) => port === null || typeof port === 'string');
  if (!Array.isArray(spec.required) || !Array.isArray(spec.allowed)) return undefined;
  return { required: readable(spec.required), allowed: readable(spec.allowed) };
}

function portName(port: Port): string {
  return port === null ? 'the default port' : `port "${port}"`;
}

function portMisuse(from: CheckedNode, port: Port, allowed: readonly Port[]): string {
  const type = from.node?.type ?? 'node';
  const a = /^[aeiou]/.test(type) ? 'an' : 'a';
  if (allowed.length === 0) return `${a} ${type} node has no outgoing edges`;
  if (port === null) return `${a} ${type} node needs a port on each edge (one of ${allowed.map(String).join(', ')})`;
  if (allowed.includes(null)) return `${a} ${type} node has no port "${port}" (leave "port" out)`;
  return `${a} ${type} node has no port "${port}" (ports: ${allowed.map(String).join(', ')})`;
}
