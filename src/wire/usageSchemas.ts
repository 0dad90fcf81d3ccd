// Wire shapes of GET /api/engine/v1/usage (DESIGN §9, §14).
import { z } from 'zod';
import { USAGE_GROUPS } from '../usage/readUsage.js';
import { USAGE_KINDS } from '../usage/usageKinds.js';
import { engineLimit } from './engineSchemas.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** A counter kind, or `tokens` for the tenant's LLM token spend (grouped by day, flow or model). */
export const usageQuerySchema = z.object({
  key: z.string().max(64).optional().describe('A public key (pk_live_…) or its id; absent: every key of the tenant.'),
  kind: z
    .enum([...USAGE_KINDS, 'tokens'])
    .optional()
    .describe('A counter kind, or `tokens`: the tenant’s LLM token spend (no `key`; groupBy day, flow or model).'),
  from: day.optional().describe('First UTC day, inclusive.'),
  to: day.optional().describe('Last UTC day, inclusive.'),
  groupBy: z
    .enum(USAGE_GROUPS)
    .optional()
    .describe('Sum over the other dimensions: day, key or kind for counters; day (default), flow or model for tokens.'),
  cursor: z.string().max(400).optional().describe('The nextCursor of the previous page; absent: first page.'),
  limit: engineLimit,
});

const counterItem = z.object({
  day: z.string().optional(),
  publicKeyId: z.string().optional(),
  kind: z.string().optional(),
  count: z.number().int(),
});

const tokenSpendItem = z.object({
  kind: z.literal('tokens'),
  day: z.string().optional(),
  flowId: z.string().optional(),
  intentName: z.string().optional(),
  model: z.string().optional(),
  calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost_micros: z.number().int(),
  cost_usd: z.number(),
});

export const usageResponse = z.object({
  items: z.array(z.union([tokenSpendItem, counterItem])),
  nextCursor: z.string().nullable(),
});
