import type { SecretKey } from '../../db/types.js';
import { defineRoute } from '../../http/defineRoute.js';
import { createSecretKey, listTenantSecretKeys, revokeTenantSecretKey } from '../../secretKeys/secretKeyService.js';
import {
  adminIdParams,
  createdSecretKey,
  createSecretKeyBody,
  secretKeyList,
  secretKeyView,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const KEYS = `${ADMIN_BASE}/secret-keys`;
const TAGS = ['Admin: secret keys'];

function view(k: SecretKey) {
  return {
    id: k.id,
    prefix: k.prefix,
    label: k.label,
    scopes: k.scopes,
    status: k.status,
    createdAt: k.created_at.toISOString(),
    revokedAt: k.revoked_at ? k.revoked_at.toISOString() : null,
    lastUsedAt: k.last_used_at ? k.last_used_at.toISOString() : null,
  };
}

// Secret keys open the Engine API to a server: only owners hand them out.

export const listSecretKeysRoute = defineRoute({
  method: 'GET',
  path: KEYS,
  operationId: 'adminListSecretKeys',
  summary: "The tenant's secret keys (prefixes, never the keys)",
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  response: { status: 200, description: 'The keys', schema: secretKeyList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { keys: (await listTenantSecretKeys(ctx, auth.tenantId)).map(view) },
    headers: NO_STORE,
  }),
});

export const createSecretKeyRoute = defineRoute({
  method: 'POST',
  path: KEYS,
  operationId: 'adminCreateSecretKey',
  summary: 'Issue a secret key for the Engine API; the key is in this answer only',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  body: createSecretKeyBody,
  response: { status: 201, description: 'The key', schema: createdSecretKey },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, body }) => {
    const { key, row } = await createSecretKey(ctx, { tenantId: auth.tenantId, ...body }, adminActor(auth));
    return { status: 201, body: { ...view(row), key }, headers: NO_STORE };
  },
});

export const revokeSecretKeyRoute = defineRoute({
  method: 'POST',
  path: `${KEYS}/{id}/revoke`,
  operationId: 'adminRevokeSecretKey',
  summary: 'Revoke a secret key of this tenant: its next request gets 401',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  params: adminIdParams,
  response: { status: 200, description: 'The key', schema: secretKeyView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: view(await revokeTenantSecretKey(ctx, auth.tenantId, params.id, adminActor(auth))),
    headers: NO_STORE,
  }),
});
