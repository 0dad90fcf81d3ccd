import { executionIdParams } from '../../chat/routes/pollExecutionRoute.js';
import { defineRoute } from '../../http/defineRoute.js';
import { engineExecution } from '../../wire/engineSchemas.js';
import { abortExecution } from '../engineService.js';
import { ENGINE_BASE, engineIdempotencyHeader, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

export const abortExecutionRoute = defineRoute({
  method: 'POST',
  path: `${ENGINE_BASE}/executions/{id}/abort`,
  operationId: 'engineAbortExecution',
  summary: 'Abort an open execution',
  description:
    'Ends a running, waiting_input or waiting_time execution with status `aborted` and reason `aborted_by_api`; its pending async job is cancelled with it. Answers the final state. No body.',
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:write',
  params: executionIdParams,
  headers: [engineIdempotencyHeader],
  response: { status: 200, description: 'The aborted execution', schema: engineExecution },
  errors: [
    ...SECRET_KEY_ROUTE_ERRORS,
    'execution_not_found',
    'execution_not_waiting',
    'conversation_busy',
    'idempotency_in_progress',
    'idempotency_key_reused',
  ],
  idempotent: {},
  handler: async ({ ctx, auth, params, receipt }) => ({
    status: 200,
    body: await abortExecution(ctx, auth, params.id, receipt),
    headers: { 'cache-control': 'no-store' },
  }),
});
