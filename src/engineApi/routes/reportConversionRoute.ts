import { z } from 'zod';
import { reportConversion } from '../../conversions/reportConversion.js';
import { defineRoute } from '../../http/defineRoute.js';
import { ENGINE_BASE, engineIdempotencyHeader, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

const conversionRequest = z.object({
  orderId: z.string().describe('Your order id; one conversion per order and tenant.'),
  amount: z.union([z.string(), z.number()]).describe('Major units, e.g. "19.99" (a decimal string is exact).'),
  currency: z.string().describe('ISO 4217, e.g. EUR.'),
  customerId: z.string().optional().describe('Attributed to this customer’s latest conversation within the window.'),
  conversationId: z.string().optional().describe('Or attributed to this conversation. Exactly one of the two.'),
  occurredAt: z.string().optional().describe('RFC 3339; default now.'),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const conversionView = z.object({
  id: z.string(),
  orderId: z.string(),
  amount: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  source: z.enum(['client', 'server']),
  verified: z.boolean(),
  customerId: z.string().nullable(),
  conversationId: z.string().nullable(),
  flowId: z.string().nullable(),
  intentName: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  createdAt: z.string(),
});

export const reportConversionRoute = defineRoute({
  method: 'POST',
  path: `${ENGINE_BASE}/conversions`,
  operationId: 'engineReportConversion',
  summary: 'Report a sale that completed on your side',
  description:
    'Idempotent on orderId: the first server report answers 201; a repeat answers 200 with that first result unchanged. A client `purchase` event of the same order (unverified) is replaced by the server’s conversion (verified). Amounts are stored exactly in minor units and never summed across currencies.',
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'conversions:write',
  body: conversionRequest,
  headers: [engineIdempotencyHeader],
  response: {
    status: 201,
    description: 'The conversion (200 when the order was reported before)',
    schema: conversionView,
  },
  errors: [
    ...SECRET_KEY_ROUTE_ERRORS,
    'not_found',
    'validation_failed',
    'idempotency_in_progress',
    'idempotency_key_reused',
    'payload_too_large',
    'unsupported_media_type',
  ],
  idempotent: {},
  handler: async ({ ctx, auth, body }) => {
    const { metadata, ...rest } = body;
    const result = await reportConversion(ctx, auth.tenantId, {
      ...rest,
      ...(metadata !== undefined ? { metadata: metadata as Record<string, never> } : {}),
    });
    return { status: result.created ? 201 : 200, body: result.conversion, headers: { 'cache-control': 'no-store' } };
  },
});
