// `end`: finishes the execution, `completed` (default) or `aborted` with a reason.
import { z } from 'zod';
import { nodeBase, VAR_NAME_PATTERN } from './common.js';
import { defineNode } from './types.js';

export const DEFAULT_ABORT_REASON = 'aborted_by_flow';

export const endNodeSchema = z
  .strictObject({
    ...nodeBase('end'),
    status: z.enum(['completed', 'aborted']).optional(),
    reason: z.string().regex(VAR_NAME_PATTERN, 'must be snake_case, e.g. user_declined').optional(),
  })
  .superRefine((node, ctx) => {
    if (node.reason !== undefined && node.status !== 'aborted') {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason is only given with status "aborted"' });
    }
  });

export const endNode = defineNode({
  type: 'end',
  schema: endNodeSchema,
  ports: () => ({ required: [], allowed: [] }),
  expressions: () => [],
  async run(node) {
    if (node.status === 'aborted')
      return { kind: 'end', status: 'aborted', reason: node.reason ?? DEFAULT_ABORT_REASON };
    return { kind: 'end', status: 'completed' };
  },
});
