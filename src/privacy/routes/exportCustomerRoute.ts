import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from '../../engineApi/routes/engineRouteErrors.js';
import { defineRoute } from '../../http/defineRoute.js';
import { customerExport, customerIdParams } from '../../wire/engineSchemas.js';
import { exportCustomer } from '../exportCustomer.js';

export const exportCustomerRoute = defineRoute({
  method: 'GET',
  path: `${ENGINE_BASE}/customers/{customerId}/export`,
  operationId: 'engineExportCustomer',
  summary: 'Export everything held about a customer',
  description:
    "One JSON document: the customer's conversations (transcripts, variables, executions), sessions, form submissions (those whose `metadata.customerId` named them), uploads' metadata, telemetry events, goal hits and conversions. 404 `not_found` when nothing is held about them.",
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:read',
  params: customerIdParams,
  response: { status: 200, description: "The customer's data", schema: customerExport },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await exportCustomer(ctx, auth.tenantId, params.customerId),
    headers: { 'cache-control': 'no-store' },
  }),
});
