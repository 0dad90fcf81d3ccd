import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/AppError.js';
import { defineRoute } from '../http/defineRoute.js';

/**
 * The admin panel's static files (DESIGN §16), read from `config.adminPanelDir` through @fastify/static's
 * `reply.sendFile` (which confines paths to that directory). The app routes with the URL hash, so the server needs no
 * fallback to index.html for deep links. Declared here like every other route, hidden from the OpenAPI document.
 */
const PANEL = '/admin';

const redirectRoute = defineRoute({
  method: 'GET',
  path: PANEL,
  operationId: 'adminPanelRoot',
  summary: 'The admin panel',
  tags: ['Admin panel'],
  hidden: true,
  auth: 'none',
  response: { status: 302, description: 'To /admin/' },
  errors: [],
  handler: async () => ({ status: 302, body: '', headers: { location: `${PANEL}/` } }),
});

const fileParams = z.object({ '*': z.string().max(300) });

const fileRoute = defineRoute({
  method: 'GET',
  path: `${PANEL}/*`,
  operationId: 'adminPanelFile',
  summary: 'A file of the admin panel',
  tags: ['Admin panel'],
  hidden: true,
  auth: 'none',
  params: fileParams,
  response: { status: 200, description: 'A file', contentType: 'text/html' },
  errors: ['not_found'],
  handler: async ({ ctx, params, reply }) => {
    const dir = ctx.config.adminPanelDir;
    const file = params['*'] === '' ? 'index.html' : params['*'];
    if (!existsSync(join(dir, 'index.html'))) {
      throw new AppError('not_found', 'The admin panel is not built: run `npm run build`.');
    }
    // Vite names every asset by its content hash, so assets never change; index.html must be fetched again.
    const immutable = file.startsWith('assets/');
    if (file.split('/').some((part) => part === '..' || part.startsWith('.')) || !existsSync(join(dir, file))) {
      throw new AppError('not_found', 'No such file in the admin panel.');
    }
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    await reply.sendFile(file, dir, { cacheControl: false });
    return undefined;
  },
});

export const adminPanelRoutes = [redirectRoute, fileRoute];
