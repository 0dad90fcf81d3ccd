import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installPreflight } from '../http/cors.js';
import { installErrorHandler } from '../http/errorHandler.js';
import { JSON_BODY_LIMIT, registerRoutes } from '../http/registerRoutes.js';
import type { AppContext } from './AppContext.js';
import { allRoutes } from './routes.js';

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
  // Bodies are JSON only: anything else (Fastify parses text/plain by default) is 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');
  installPreflight(app, ctx.origins);

  registerRoutes(app, ctx, allRoutes());
  // Usage counts reach the database in batches; what is left is written when the server closes.
  ctx.meter.start(ctx.config.usageFlushMs, (error) => app.log.warn({ err: error }, 'usage flush failed'));
  app.addHook('onClose', async () => {
    await ctx.meter.stop().catch((error: unknown) => app.log.warn({ err: error }, 'usage flush failed'));
  });
  await app.ready();
  return app;
}
