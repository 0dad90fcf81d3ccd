import { defineRoute } from '../../http/defineRoute.js';
import { engineSessions, engineSessionsQuery } from '../../wire/engineSchemas.js';
import { engineSessions as listEngineSessions } from '../engineService.js';
import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

export const listSessionsRoute = defineRoute({
  method: 'GET',
  path: `${ENGINE_BASE}/sessions`,
  operationId: 'engineListSessions',
  summary: "A customer's sessions",
  description:
    'Newest first, `?cursor=&limit=` (1–100, default 50). The cursor is a keyset position: sessions opened during a walk never repeat a row or hide one.',
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:read',
  query: engineSessionsQuery,
  response: { status: 200, description: 'One page of sessions', schema: engineSessions },
  errors: SECRET_KEY_ROUTE_ERRORS,
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: await listEngineSessions(ctx, auth, query),
    headers: { 'cache-control': 'no-store' },
  }),
});
