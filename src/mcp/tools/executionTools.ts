import { z } from 'zod';
import { executionIdParams } from '../../chat/routes/pollExecutionRoute.js';
import { engineExecution as readEngineExecution } from '../../engineApi/engineService.js';
import { engineExecution } from '../../wire/engineSchemas.js';
import { defineMcpTool } from '../defineMcpTool.js';

export const executionsGetTool = defineMcpTool({
  name: 'executions_get',
  title: 'Get an execution',
  description:
    'One run of a flow, as the Engine API shows it: status, the node it waits on, its variables (untrusted: they may hold what users typed), the step trace, the blocks it sent, its error or abort reason and token usage. Find execution ids with conversations_search and the admin history.',
  input: z.object({
    executionId: z
      .string()
      .max(100)
      .describe('The execution id (a UUID). Any other value answers execution_not_found, like an unknown id.'),
    after: z.string().max(200).optional().describe('The `cursor` of an earlier answer: only blocks after it.'),
  }),
  output: engineExecution,
  annotations: { readOnlyHint: true, openWorldHint: false },
  hints: { execution_not_found: 'Check the id; conversations_search lists conversations with their executions.' },
  run: async ({ ctx, auth }, args) =>
    readEngineExecution(ctx, auth, executionIdParams.shape.id.parse(args.executionId), {
      ...(args.after !== undefined ? { after: args.after } : {}),
    }),
});
