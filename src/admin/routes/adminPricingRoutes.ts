import { defineRoute } from '../../http/defineRoute.js';
import { modelPrices, setModelPrice } from '../../llm/pricingService.js';
import { readUsage } from '../../usage/readUsage.js';
import { modelPrice, modelPriceList, setPriceBody } from '../../wire/adminSchemas.js';
import { usageQuerySchema, usageResponse } from '../../wire/usageSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const TAGS = ['Admin: pricing and usage'];

export const listPricesRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/prices`,
  operationId: 'adminListPrices',
  summary: 'LLM prices: the tenant’s overrides over the shipped defaults (micro-USD per 1 M tokens)',
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The prices', schema: modelPriceList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { prices: await modelPrices(ctx, auth.tenantId) },
    headers: NO_STORE,
  }),
});

// Prices decide what usage costs: only owners set them, as for keys.
export const setPriceRoute = defineRoute({
  method: 'PUT',
  path: `${ADMIN_BASE}/prices`,
  operationId: 'adminSetPrice',
  summary: 'Set the tenant’s price of a model (USD per 1 M prompt and completion tokens, decimal text)',
  description: 'The rules of `comerix pricing:set`: calls made from then on are costed with it.',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  body: setPriceBody,
  response: { status: 200, description: 'The price', schema: modelPrice },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, body }) => ({
    status: 200,
    body: await setModelPrice(ctx, { tenantId: auth.tenantId, ...body }, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const usageRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/usage`,
  operationId: 'adminUsage',
  summary: 'Usage per widget key × day × kind, or `kind=tokens` for LLM token spend',
  description: 'The Engine API’s `GET /usage` ([Engine API](engine-api.md)), within the admin’s tenant.',
  tags: TAGS,
  auth: 'admin',
  query: usageQuerySchema,
  response: { status: 200, description: 'One page', schema: usageResponse },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: await readUsage(ctx, { tenantId: auth.tenantId, ...query }),
    headers: NO_STORE,
  }),
});
