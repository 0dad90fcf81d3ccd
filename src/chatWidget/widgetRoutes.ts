import { z } from 'zod';
import { DEMO_SLUG, demoKey } from '../demo/seedDemo.js';
import { AppError } from '../errors/AppError.js';
import { defineRoute } from '../http/defineRoute.js';
import { findTenant } from '../tenants/tenantStore.js';
import { demoPage } from './demoPage.js';
import { widgetScript } from './widgetScript.js';

/**
 * The reference widget (issue 24): its script (built by Vite from web/widget into dist/widget; this folder is not
 * named `widget` because tsc compiles it into dist/ beside that build, which empties its directory), which any shop's page loads from here, and a demo page wired to the
 * demo tenant's key. Hidden from the OpenAPI document like the admin panel's files.
 */
const scriptRoute = defineRoute({
  method: 'GET',
  path: '/widget/comerix-chat.js',
  operationId: 'widgetScript',
  summary: 'The reference chat widget',
  tags: ['Widget'],
  hidden: true,
  auth: 'none',
  response: { status: 200, description: 'An ES module', contentType: 'text/javascript' },
  errors: ['not_found'],
  handler: async ({ ctx, request }) => {
    const script = widgetScript(ctx.config.widgetDir);
    if (!script) throw new AppError('not_found', 'The widget is not built: run `npm run build`.');
    const headers = {
      'content-type': 'text/javascript; charset=utf-8',
      // A fixed URL that shops paste into their pages: cached for 5 minutes, then revalidated by ETag, so a new
      // version reaches every page within minutes and costs a 304 otherwise.
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      etag: script.etag,
      // Loaded by pages of any origin (a module script is a CORS request), so it says so; it carries no credentials.
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
    };
    const match = request.headers['if-none-match'];
    if (typeof match === 'string' && match.split(',').some((tag) => tag.trim() === script.etag)) {
      return { status: 304, body: '', headers };
    }
    return { status: 200, body: script.body, headers };
  },
});

const demoQuery = z.object({ page: z.enum(['product', 'cart']).optional() });

const demoRoute = defineRoute({
  method: 'GET',
  path: '/widget/demo',
  operationId: 'widgetDemo',
  summary: 'The reference widget on a demo page',
  tags: ['Widget'],
  hidden: true,
  auth: 'none',
  query: demoQuery,
  response: { status: 200, description: 'An HTML page', contentType: 'text/html' },
  errors: ['not_found', 'invalid_request'],
  handler: async ({ ctx, query }) => {
    const tenant = await findTenant(ctx, DEMO_SLUG);
    const publicKey = tenant ? await demoKey(ctx, tenant.id) : undefined;
    if (!publicKey) {
      throw new AppError(
        'not_found',
        'There is no demo tenant with a widget key: start with `comerix start` (COMERIX_DEMO=on).',
      );
    }
    return {
      status: 200,
      body: demoPage({ publicKey, scriptUrl: '/widget/comerix-chat.js', pageType: query.page ?? 'product' }),
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    };
  },
});

export const widgetRoutes = [scriptRoute, demoRoute];
