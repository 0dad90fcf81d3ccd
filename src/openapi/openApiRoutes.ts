import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/AppContext.js';
import { openApiDocument } from './openApiDocument.js';

const require = createRequire(import.meta.url);
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
]);

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comerix API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;
// A separate script file keeps the page compatible with a strict Content-Security-Policy (no inline script).
const init = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', deepLinking: true, defaultModelsExpandDepth: 0 });`;

export function openApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  let cached: string | undefined;
  app.get('/api/openapi.json', async (_request, reply) => {
    cached ??= JSON.stringify(openApiDocument(ctx.config.publicUrl));
    return reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(cached);
  });
  app.get('/api/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/api/docs/init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(init));
  app.get<{ Params: { file: string } }>('/api/docs/assets/:file', async (request, reply) => {
    const file = request.params.file;
    if (!ASSETS.has(file)) return reply.callNotFound();
    const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
    const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.png') ? 'image/png' : 'text/javascript';
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=86400')
      .send(await readFile(join(dir, file)));
  });
}
