import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { chatRoutes } from '../chat/chatRoutes.js';
import { migrationsApplied } from '../db/migrate.js';
import { installPreflight } from '../http/cors.js';
import { installErrorHandler } from '../http/errorHandler.js';
import { openApiRoutes } from '../openapi/openApiRoutes.js';
import type { AppContext } from './AppContext.js';

export const JSON_BODY_LIMIT = 64 * 1024;

/** Builds the HTTP app; tests call it in-process with app.inject() or listen on port 0. */
export async function buildApp(
  ctx: AppContext,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: ctx.config.trustProxy,
    genReqId: () => `req_${randomUUID().replaceAll('-', '')}`,
    return503OnClosing: true,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandler(app);
  installPreflight(app, ctx.origins);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.kysely);
      if (!(await migrationsApplied(ctx.kysely))) return reply.code(503).send({ status: 'migrations_pending' });
      return { status: 'ready', backend: ctx.db.backend };
    } catch {
      return reply.code(503).send({ status: 'database_unreachable' });
    }
  });
  chatRoutes(app, ctx);
  openApiRoutes(app, ctx);
  await app.ready();
  return app;
}
