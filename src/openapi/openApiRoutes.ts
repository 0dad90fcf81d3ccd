import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/AppError.js';
import { type AnyRoute, defineRoute } from '../http/defineRoute.js';
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

const docRoute = (path: string, operationId: string, type: string, body: () => string | Promise<string | Buffer>) =>
  defineRoute({
    method: 'GET',
    path,
    operationId,
    summary: operationId,
    tags: ['Documentation'],
    hidden: true,
    auth: 'none',
    response: { status: 200, description: 'A document', contentType: type },
    errors: [],
    handler: async () => ({ status: 200, body: await body(), headers: { 'content-type': type } }),
  });

/** The OpenAPI document (generated from `routes`, the same declarations the server runs) and its viewer. */
export function openApiRoutes(routes: readonly AnyRoute[]): AnyRoute[] {
  let cached: string | undefined;
  const document = defineRoute({
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This API described in OpenAPI 3.1',
    tags: ['Documentation'],
    hidden: true,
    auth: 'none',
    response: { status: 200, description: 'The OpenAPI document', contentType: 'application/json' },
    errors: [],
    handler: async ({ ctx }) => {
      cached ??= JSON.stringify(openApiDocument(routes, ctx.config.publicUrl));
      return {
        status: 200,
        body: cached,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
      };
    },
  });
  const asset = defineRoute({
    method: 'GET',
    path: '/api/docs/assets/{file}',
    operationId: 'apiDocsAsset',
    summary: 'A file of the API reference viewer',
    tags: ['Documentation'],
    hidden: true,
    auth: 'none',
    params: z.object({ file: z.string() }),
    response: { status: 200, description: 'A static file' },
    errors: ['not_found'],
    handler: async ({ params }) => {
      const file = params.file;
      if (!ASSETS.has(file)) throw new AppError('not_found', `No route GET /api/docs/assets/${file}`);
      const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.png') ? 'image/png' : 'text/javascript';
      return {
        status: 200,
        body: await readFile(join(dir, file)),
        headers: { 'content-type': type, 'cache-control': 'public, max-age=86400' },
      };
    },
  });
  return [
    document,
    docRoute('/api/docs', 'apiDocs', 'text/html; charset=utf-8', () => page),
    docRoute('/api/docs/init.js', 'apiDocsInit', 'text/javascript; charset=utf-8', () => init),
    asset,
  ];
}
