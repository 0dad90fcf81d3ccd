import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The pages a browser renders as HTML (and the scripts and styles they load). Only they get helmet's headers and a
 * Content-Security-Policy: the public API answers JSON to other origins, and CORP/COEP-style headers there would break
 * the widget. Add a prefix here when a new HTML surface appears.
 */
export const HTML_PREFIXES = ['/api/docs', '/admin', '/widget/demo'] as const;

export function isHtmlPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return HTML_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Scripts and styles come from this origin only (the pages keep no inline script); nothing may frame them. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Swagger UI sets style attributes as it renders.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: false,
    // Our own list, without helmet's upgrade-insecure-requests, which would break a plain-HTTP localhost install.
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isHtmlPath(request.url)) await reply.helmet();
  });
}
