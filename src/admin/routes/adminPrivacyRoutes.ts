import { defineRoute } from '../../http/defineRoute.js';
import { deleteCustomer } from '../../privacy/deleteCustomer.js';
import { exportCustomer } from '../../privacy/exportCustomer.js';
import { setRetentionDays } from '../../tenants/tenantStore.js';
import { retentionAnswer, retentionBody } from '../../wire/adminSchemas.js';
import { customerDeletion, customerExport, customerIdParams } from '../../wire/engineSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const TAGS = ['Admin: privacy'];

// Customers' data and how long it is kept are the owner's to decide (DESIGN §12).

export const setRetentionRoute = defineRoute({
  method: 'PUT',
  path: `${ADMIN_BASE}/retention`,
  operationId: 'adminSetRetention',
  summary: 'Days raw transcripts, events, uploads and delivery logs are kept (null: until deleted)',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  body: retentionBody,
  response: { status: 200, description: 'The setting', schema: retentionAnswer },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => {
    await setRetentionDays(ctx, auth.tenantId, body.retentionDays, adminActor(auth));
    return { status: 200, body: { retentionDays: body.retentionDays }, headers: NO_STORE };
  },
});

export const exportCustomerRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/customers/{customerId}/export`,
  operationId: 'adminExportCustomer',
  summary: 'Export everything held about a customer',
  description: 'The Engine API’s customer export; 404 `not_found` when nothing is held about them.',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  params: customerIdParams,
  response: { status: 200, description: "The customer's data", schema: customerExport },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await exportCustomer(ctx, auth.tenantId, params.customerId),
    headers: NO_STORE,
  }),
});

export const deleteCustomerRoute = defineRoute({
  method: 'DELETE',
  path: `${ADMIN_BASE}/customers/{customerId}`,
  operationId: 'adminDeleteCustomer',
  summary: 'Delete everything held about a customer',
  description: 'The Engine API’s customer deletion, audited as `customer.delete` (counts only, the id as a digest).',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  params: customerIdParams,
  response: { status: 200, description: 'What was deleted', schema: customerDeletion },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'conversation_busy'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await deleteCustomer(ctx, auth.tenantId, params.customerId, adminActor(auth)),
    headers: NO_STORE,
  }),
});
