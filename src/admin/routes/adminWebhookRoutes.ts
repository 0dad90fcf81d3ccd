import { defineRoute } from '../../http/defineRoute.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  setWebhookEndpointEnabled,
} from '../../webhooks/webhookService.js';
import {
  adminIdParams,
  createdWebhook,
  createWebhookBody,
  deliveriesQuery,
  deliveryList,
  redeliveryAnswer,
  webhookEndpointList,
  webhookEndpointView,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const HOOKS = `${ADMIN_BASE}/webhooks`;
const TAGS = ['Admin: webhooks'];

export const listWebhooksRoute = defineRoute({
  method: 'GET',
  path: HOOKS,
  operationId: 'adminListWebhooks',
  summary: "The tenant's webhook endpoints",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The endpoints', schema: webhookEndpointList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { endpoints: await listWebhookEndpoints(ctx, auth.tenantId) },
    headers: NO_STORE,
  }),
});

export const createWebhookRoute = defineRoute({
  method: 'POST',
  path: HOOKS,
  operationId: 'adminCreateWebhook',
  summary: 'Add a webhook endpoint; its signing secret is in this answer only',
  description: 'The rules of `comerix webhook:create` ([Webhooks](webhooks.md)).',
  tags: TAGS,
  auth: 'admin',
  body: createWebhookBody,
  response: { status: 201, description: 'The endpoint', schema: createdWebhook },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, body }) => {
    const { endpoint, secret } = await createWebhookEndpoint(
      ctx,
      {
        tenantId: auth.tenantId,
        url: body.url,
        eventTypes: body.eventTypes,
        ...(body.description !== undefined ? { description: body.description } : {}),
      },
      adminActor(auth),
    );
    return { status: 201, body: { ...endpoint, secret }, headers: NO_STORE };
  },
});

function enableRoute(enabled: boolean) {
  return defineRoute({
    method: 'POST',
    path: `${HOOKS}/{id}/${enabled ? 'enable' : 'disable'}`,
    operationId: enabled ? 'adminEnableWebhook' : 'adminDisableWebhook',
    summary: enabled ? 'Enable a webhook endpoint (after an auto-disable, say)' : 'Disable a webhook endpoint',
    tags: TAGS,
    auth: 'admin',
    params: adminIdParams,
    response: { status: 200, description: 'The endpoint', schema: webhookEndpointView },
    errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
    handler: async ({ ctx, auth, params }) => ({
      status: 200,
      body: await setWebhookEndpointEnabled(ctx, auth.tenantId, params.id, enabled, adminActor(auth)),
      headers: NO_STORE,
    }),
  });
}

export const enableWebhookRoute = enableRoute(true);
export const disableWebhookRoute = enableRoute(false);

export const deleteWebhookRoute = defineRoute({
  method: 'DELETE',
  path: `${HOOKS}/{id}`,
  operationId: 'adminDeleteWebhook',
  summary: 'Delete a webhook endpoint with its deliveries and log',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 204, description: 'Deleted' },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    await deleteWebhookEndpoint(ctx, auth.tenantId, params.id, adminActor(auth));
    return { status: 204, body: undefined, headers: NO_STORE };
  },
});

export const webhookDeliveriesRoute = defineRoute({
  method: 'GET',
  path: `${HOOKS}/deliveries`,
  operationId: 'adminWebhookDeliveries',
  summary: 'The delivery log: newest deliveries first, each with its attempts',
  tags: TAGS,
  auth: 'admin',
  query: deliveriesQuery,
  response: { status: 200, description: 'The deliveries', schema: deliveryList },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: {
      deliveries: await listWebhookDeliveries(ctx, auth.tenantId, {
        ...(query.endpointId !== undefined ? { endpointId: query.endpointId } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      }),
    },
    headers: NO_STORE,
  }),
});

export const redeliverWebhookRoute = defineRoute({
  method: 'POST',
  path: `${HOOKS}/deliveries/{id}/redeliver`,
  operationId: 'adminRedeliverWebhook',
  summary: 'Send an ended delivery’s event again to its endpoint, now, as a new delivery',
  description:
    'The rules of `comerix webhook:redeliver`: a delivery still pending or sending, or a disabled endpoint, is refused (400).',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 202, description: 'The new delivery', schema: redeliveryAnswer },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 202,
    body: { deliveryId: await redeliverWebhook(ctx, auth.tenantId, params.id, adminActor(auth)) },
    headers: NO_STORE,
  }),
});
