import { z } from 'zod';
import { databaseReady } from '../db/databaseReady.js';
import { type AnyRoute, defineRoute } from '../http/defineRoute.js';

const healthz = defineRoute({
  method: 'GET',
  path: '/healthz',
  operationId: 'healthz',
  summary: 'The process is up',
  tags: ['Operations'],
  hidden: true,
  auth: 'none',
  response: { status: 200, description: 'Up', schema: z.object({ status: z.literal('ok') }) },
  errors: [],
  handler: async () => ({ status: 200, body: { status: 'ok' } }),
});

const readyz = defineRoute({
  method: 'GET',
  path: '/readyz',
  operationId: 'readyz',
  summary: 'The database answers and migrations are applied',
  tags: ['Operations'],
  hidden: true,
  auth: 'none',
  response: { status: 200, description: 'Ready', schema: z.object({ status: z.string(), backend: z.string() }) },
  errors: [],
  handler: async ({ ctx }) => {
    const status = await databaseReady(ctx.kysely);
    return status === 'ready'
      ? { status: 200, body: { status, backend: ctx.db.backend } }
      : { status: 503, body: { status } };
  },
});

/** Liveness and readiness probes for load balancers and orchestrators. */
export const opsRoutes: AnyRoute[] = [healthz, readyz];
