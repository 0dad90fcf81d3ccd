import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { clientErrorHandler } from '../http/clientErrorHandler.js';
import { installPreflight } from '../http/cors.js';
import { installErrorHandler } from '../http/errorHandler.js';
import { RateLimits } from '../http/limits/RateLimits.js';
import { JSON_BODY_LIMIT, registerRoutes } from '../http/registerRoutes.js';
import { installSecurityHeaders } from '../http/securityHeaders.js';
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
    // A request that reaches a closing server on a kept-alive connection is still answered (with `connection: close`,
    // see the onSend hook): during a rolling restart the client then reconnects to another process, and sees no 503.
    return503OnClosing: false,
    clientErrorHandler,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Labelled by the declared route (bounded), never the raw URL; a path no route declares is `unmatched`.
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpDuration.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  await installSecurityHeaders(app);
  // Shutting down: every answer closes its connection, so kept-alive clients reconnect to another process.
  app.addHook('onSend', async (_request, reply) => {
    if (ctx.shutdown.signal.aborted) reply.header('connection', 'close');
  });
  installErrorHandler(app);
  // Bodies are JSON only: anything else (Fastify parses text/plain by default) is 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');
  installPreflight(app, ctx.origins);
  // Parses the admin session cookie (request.cookies) and sets it (reply.setCookie); nothing else reads cookies.
  await app.register(fastifyCookie);
  // Only reply.sendFile, for the admin panel's declared routes: the plugin registers no route of its own.
  await app.register(fastifyStatic, { serve: false, root: ctx.config.adminPanelDir });

  registerRoutes(app, ctx, allRoutes(), await RateLimits.install(app, ctx.config, ctx.events));
  // Usage counts reach the database in batches; what is left is written when the server closes.
  ctx.meter.start(ctx.config.usageFlushMs, (error) => app.log.warn({ err: error }, 'usage flush failed'));
  app.addHook('onClose', async () => {
    await ctx.meter.stop().catch((error: unknown) => app.log.warn({ err: error }, 'usage flush failed'));
  });
  await app.ready();
  return app;
}
