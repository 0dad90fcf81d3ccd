import { defineRoute } from '../../http/defineRoute.js';
import { readUsage } from '../../usage/readUsage.js';
import { usageQuerySchema, usageResponse } from '../../wire/usageSchemas.js';
import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

export const usageRoute = defineRoute({
  method: 'GET',
  path: `${ENGINE_BASE}/usage`,
  operationId: 'engineUsage',
  summary: 'Usage per widget key × day × kind',
  description:
    'Counters of `session`, `message`, `mount`, `submission`, `upload`, `quick_questions` and `config` per public key and UTC day, in (day, key, kind) order; `groupBy` sums over the other dimensions. `?cursor=&limit=` (1–100, default 50). Counts are gathered in memory by each API process and written in batches, so the newest seconds of another process may not show yet.',
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:read',
  query: usageQuerySchema,
  response: { status: 200, description: 'One page of counters', schema: usageResponse },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: await readUsage(ctx, { tenantId: auth.tenantId, ...query }),
    headers: { 'cache-control': 'no-store' },
  }),
});
