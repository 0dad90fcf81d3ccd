import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from '../../engineApi/routes/engineRouteErrors.js';
import { defineRoute } from '../../http/defineRoute.js';
import { customerDeletion, customerIdParams } from '../../wire/engineSchemas.js';
import { deleteCustomer } from '../deleteCustomer.js';

export const deleteCustomerRoute = defineRoute({
  method: 'DELETE',
  path: `${ENGINE_BASE}/customers/{customerId}`,
  operationId: 'engineDeleteCustomer',
  summary: 'Delete everything held about a customer',
  description:
    "Deletes, in one transaction, the customer's conversations, transcripts, sessions, executions, form submissions, uploads (and their files), telemetry events, goal hits, webhook events about them and stored idempotent answers; conversions stay for revenue totals without the customer, conversation, order id or metadata. Open sessions answer 401 at once. Answers counts only. 404 `not_found` when nothing is held about them (so a repeated delete answers 404).",
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:write',
  params: customerIdParams,
  response: { status: 200, description: 'What was deleted', schema: customerDeletion },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'not_found', 'conversation_busy'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await deleteCustomer(ctx, auth.tenantId, params.customerId, `sk:${auth.id}`),
    headers: { 'cache-control': 'no-store' },
  }),
});
