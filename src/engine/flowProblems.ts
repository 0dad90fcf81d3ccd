// Problem records for flow validation, and the mapping from zod issues to them.
import type { z } from 'zod';
import { formatPath } from './formatPath.js';

export interface FlowProblem {
  /** The node the problem sits in (or, for an edge, the node it leaves), when there is one. */
  nodeId?: string;
  /** Where in the flow JSON, e.g. `nodes[3].blocks[0].text` or `edges[2].to`. */
  path: string;
  message: string;
}

type Path = readonly PropertyKey[];

/** One problem per zod issue; unknown keys get one problem each, pointing at the key itself. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], base: Path, nodeId?: string): FlowProblem[] {
  const node = nodeId === undefined ? {} : { nodeId };
  return issues.flatMap((issue) => {
    const at = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ ...node, path: formatPath([...at, key]), message: `unknown field "${key}"` }));
    }
    return [{ ...node, path: formatPath(at) || '(root)', message: issue.message }];
  });
}

export function problem(path: Path, message: string, nodeId?: string): FlowProblem {
  return { ...(nodeId === undefined ? {} : { nodeId }), path: formatPath(path) || '(root)', message };
}
