import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from '../../engineApi/routes/engineRouteErrors.js';
import { defineRoute } from '../../http/defineRoute.js';
import { analyticsQuerySchema, analyticsResultSchema } from '../../wire/analyticsSchemas.js';
import { analyticsDeps } from '../analyticsDeps.js';
import { runAnalyticsQuery } from '../runAnalyticsQuery.js';
import { QUERY_DESCRIPTION } from './adminAnalyticsRoutes.js';

export const engineAnalyticsQueryRoute = defineRoute({
  method: 'POST',
  path: `${ENGINE_BASE}/analytics/query`,
  operationId: 'engineAnalyticsQuery',
  summary: 'Run an analytics query (the definition a saved report stores)',
  description: QUERY_DESCRIPTION,
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'analytics:read',
  body: analyticsQuerySchema,
  response: { status: 200, description: 'A table: columns and rows', schema: analyticsResultSchema },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'validation_failed', 'payload_too_large', 'unsupported_media_type'],
  handler: async ({ ctx, auth, body }) => ({
    status: 200,
    body: await runAnalyticsQuery(analyticsDeps(ctx), auth.tenantId, body),
    headers: { 'cache-control': 'no-store' },
  }),
});
