import type { z } from 'zod';
import type { PublicKey } from '../../db/types.js';
import { defineRoute } from '../../http/defineRoute.js';
import {
  createWidgetKey,
  listWidgetKeys,
  revokeWidgetKey,
  updateWidgetKey,
  widgetKeyById,
} from '../../keys/widgetKeyService.js';
import { adminIdParams, widgetKey, widgetKeyBody, widgetKeyChange, widgetKeyList } from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const KEYS = `${ADMIN_BASE}/widget-keys`;
const TAGS = ['Admin: widget'];

function view(k: PublicKey): z.infer<typeof widgetKey> {
  return {
    id: k.id,
    key: k.key,
    label: k.label,
    widgetLabel: k.widget_label,
    origins: k.allowed_origins,
    intents: k.allowed_intents,
    allIntents: k.allows_all_intents,
    forms: k.allowed_forms,
    allForms: k.allows_all_forms,
    allowServerSide: k.allow_server_side,
    sessionTtlSeconds: k.session_ttl_seconds,
    rateLimits: k.rate_limits as z.infer<typeof widgetKey>['rateLimits'],
    status: k.status,
    createdAt: k.created_at.toISOString(),
    revokedAt: k.revoked_at ? k.revoked_at.toISOString() : null,
  };
}

/** Drops the members a client left out, so the service's "left out keeps its value" applies. */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

export const listWidgetKeysRoute = defineRoute({
  method: 'GET',
  path: KEYS,
  operationId: 'adminListWidgetKeys',
  summary: "The tenant's widget keys",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The keys', schema: widgetKeyList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { keys: (await listWidgetKeys(ctx, auth.tenantId)).map(view) },
    headers: NO_STORE,
  }),
});

export const createWidgetKeyRoute = defineRoute({
  method: 'POST',
  path: KEYS,
  operationId: 'adminCreateWidgetKey',
  summary: 'Issue a widget key',
  description:
    'The rules of `comerix widget-key:create`: exactly one of `intents` (non-empty) and `allIntents`; at least one origin unless `allowServerSide`.',
  tags: TAGS,
  auth: 'admin',
  body: widgetKeyBody,
  response: { status: 201, description: 'The key', schema: widgetKey },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: view(await createWidgetKey(ctx, { tenantId: auth.tenantId, ...defined(body) }, adminActor(auth))),
    headers: NO_STORE,
  }),
});

export const updateWidgetKeyRoute = defineRoute({
  method: 'PATCH',
  path: `${KEYS}/{id}`,
  operationId: 'adminUpdateWidgetKey',
  summary: "Change an active widget key's settings",
  description:
    'Members left out keep their value (in `rateLimits`, by name; null clears one); sessions see the new scope, origins and rate limits at once.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  body: widgetKeyChange,
  response: { status: 200, description: 'The key', schema: widgetKey },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => {
    const current = await widgetKeyById(ctx, auth.tenantId, params.id);
    return {
      status: 200,
      body: view(await updateWidgetKey(ctx, auth.tenantId, current.key, defined(body), adminActor(auth))),
      headers: NO_STORE,
    };
  },
});

export const revokeWidgetKeyRoute = defineRoute({
  method: 'POST',
  path: `${KEYS}/{id}/revoke`,
  operationId: 'adminRevokeWidgetKey',
  summary: 'Revoke a widget key of this tenant; its sessions stop at once',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The key', schema: widgetKey },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    const current = await widgetKeyById(ctx, auth.tenantId, params.id);
    return {
      status: 200,
      body: view(await revokeWidgetKey(ctx, current.key, auth.tenantId, adminActor(auth))),
      headers: NO_STORE,
    };
  },
});
