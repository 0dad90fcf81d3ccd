import { z } from 'zod';
import { AppError } from '../errors/AppError.js';
import { defineRoute } from '../http/defineRoute.js';
import { metricsAuthorized } from './metricsAuthorized.js';

/**
 * Prometheus metrics on the API port, for a scraper holding COMERIX_METRICS_TOKEN. Without the token configured, or
 * without the right one, it answers 404 like any unknown path: the API port is public, and these numbers are not.
 */
export const metricsRoute = defineRoute({
  method: 'GET',
  path: '/metrics',
  operationId: 'metrics',
  summary: 'Prometheus metrics (Authorization: Bearer <COMERIX_METRICS_TOKEN>)',
  tags: ['Operations'],
  hidden: true,
  auth: 'none',
  response: {
    status: 200,
    description: 'Metrics in the Prometheus text format',
    contentType: 'text/plain; version=0.0.4',
    schema: z.string(),
  },
  errors: ['not_found'],
  handler: async ({ ctx, request }) => {
    if (!metricsAuthorized(ctx.config.metricsToken, request.headers.authorization)) {
      throw new AppError('not_found', 'No route GET /metrics');
    }
    const { contentType, body } = await ctx.metrics.render();
    return { status: 200, body, headers: { 'content-type': contentType, 'cache-control': 'no-store' } };
  },
});
