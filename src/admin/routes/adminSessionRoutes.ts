import { defineRoute } from '../../http/defineRoute.js';
import { adminIdParams, revokeAnswer } from '../../wire/adminSchemas.js';
import { revokeSessionAsAdmin } from '../revokeSessionAsAdmin.js';
import { ADMIN_BASE, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

export const revokeSessionRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/sessions/{id}/revoke`,
  operationId: 'adminRevokeSession',
  summary: 'Revoke a chat session (and its conversation’s other sessions) at once',
  description:
    'As `comerix session:revoke`: the session answers 401 `invalid_session_token` from now on and its conversation cannot be continued.',
  tags: ['Admin: history'],
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'How many sessions were revoked (0: already revoked)', schema: revokeAnswer },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: { revokedSessions: await revokeSessionAsAdmin(ctx, auth, params.id) },
    headers: NO_STORE,
  }),
});
