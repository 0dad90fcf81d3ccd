// Per-node checks of validateFlow: known type, node schema, unique id, and every JSONata expression and template.
import { expressionProblem } from './expressions.js';
import { type FlowProblem, issueProblems, problem } from './flowProblems.js';
import { nodeIdSchema } from './nodes/common.js';
import { type FlowNode, nodeModule, nodeTypes } from './nodes/index.js';
import { safeUrl } from './safeUrl.js';
import { hasTemplateParts, templateProblems } from './templates.js';

export interface CheckedNode {
  index: number;
  /** The node's id when it has a string one (even a malformed one), so graph checks do not cascade. */
  id?: string;
  /** The node when its type is known: parsed when `valid`, else the raw JSON, read best-effort. */
  node?: FlowNode;
  /** Whether the node passed its type's schema. */
  valid?: boolean;
}

export function checkNodes(rawNodes: readonly unknown[], problems: FlowProblem[]): CheckedNode[] {
  const seen = new Set<string>();
  return rawNodes.map((raw, index) => {
    const base = ['nodes', index];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(problem(base, 'a node must be an object'));
      return { index };
    }
    const { id, type } = raw as { id?: unknown; type?: unknown };
    const nodeId = typeof id === 'string' ? id : undefined;
    if (nodeId !== undefined && seen.has(nodeId))
      problems.push(problem([...base, 'id'], `duplicate node id "${nodeId}"`, nodeId));
    if (nodeId !== undefined) seen.add(nodeId);

    const module = typeof type === 'string' ? nodeModule(type) : undefined;
    if (!module) {
      const idCheck = nodeIdSchema.safeParse(id);
      if (!idCheck.success) problems.push(...issueProblems(idCheck.error.issues, [...base, 'id'], nodeId));
      const what = typeof type === 'string' ? `unknown node type "${type}"` : 'node type is missing';
      problems.push(problem([...base, 'type'], `${what} (known: ${nodeTypes.join(', ')})`, nodeId));
      return { index, ...(nodeId === undefined ? {} : { id: nodeId }) };
    }
    const parsed = module.schema.safeParse(raw);
    if (parsed.success) {
      problems.push(...expressionProblems(parsed.data, base));
      return { index, id: parsed.data.id, node: parsed.data, valid: true };
    }
    problems.push(...issueProblems(parsed.error.issues, base, nodeId));
    // A schema error elsewhere in the node must not hide its expression problems: read the raw node best-effort.
    const loose = raw as FlowNode;
    problems.push(...(bestEffort(() => expressionProblems(loose, base)) ?? []));
    return { index, ...(nodeId === undefined ? {} : { id: nodeId }), node: loose, valid: false };
  });
}

/** Runs a reader over a node that failed its schema; whatever it cannot read counts as nothing. */
export function bestEffort<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function expressionProblems(node: FlowNode, base: (string | number)[]): FlowProblem[] {
  const module = nodeModule(node.type);
  const problems: FlowProblem[] = [];
  for (const site of module?.expressions(node) ?? []) {
    if (typeof site.source !== 'string') continue;
    const path = [...base, ...site.path];
    if (site.kind === 'expression') {
      const message = expressionProblem(site.source);
      if (message) problems.push(problem(path, `bad expression: ${message}`, node.id));
      continue;
    }
    for (const message of templateProblems(site.source))
      problems.push(problem(path, `bad template: ${message}`, node.id));
    // A literal URL is known now; an unsafe one would be dropped on every run.
    if (site.url && !hasTemplateParts(site.source) && safeUrl(site.source, site.url) === null) {
      const allowed = site.url === 'link' ? 'http(s), mailto: or tel:' : 'http(s)';
      problems.push(problem(path, `unsafe URL: only ${allowed} URLs are allowed`, node.id));
    }
  }
  return problems;
}
