import { executionIdParams } from '../../chat/routes/pollExecutionRoute.js';
import { defineRoute } from '../../http/defineRoute.js';
import { engineExecution, engineExecutionQuery } from '../../wire/engineSchemas.js';
import { engineExecution as readEngineExecution } from '../engineService.js';
import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

export const getExecutionRoute = defineRoute({
  method: 'GET',
  path: `${ENGINE_BASE}/executions/{id}`,
  operationId: 'engineGetExecution',
  summary: 'An execution: state, step trace, blocks, wait, timings',
  description:
    "Full state of one of the tenant's executions. `state.vars` may hold what users typed: it is marked untrusted. Blocks after `?after=` only when given (the `cursor` of an earlier answer).",
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:read',
  params: executionIdParams,
  query: engineExecutionQuery,
  response: { status: 200, description: 'The execution', schema: engineExecution },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'execution_not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: await readEngineExecution(ctx, auth, params.id, query),
    headers: { 'cache-control': 'no-store' },
  }),
});
