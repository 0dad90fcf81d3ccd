// Wire shapes of GET /api/engine/v1/usage (DESIGN §9, §14).
import { z } from 'zod';
import { USAGE_GROUPS } from '../usage/readUsage.js';
import { USAGE_KINDS } from '../usage/usageKinds.js';
import { engineLimit } from './engineSchemas.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** `kind=tokens` joins USAGE_KINDS here when readTokenSpend (src/llm) lands: see readUsage's dispatch. */
export const usageQuerySchema = z.object({
  key: z.string().max(64).optional().describe('A public key (pk_live_…) or its id; absent: every key of the tenant.'),
  kind: z.enum(USAGE_KINDS).optional(),
  from: day.optional().describe('First UTC day, inclusive.'),
  to: day.optional().describe('Last UTC day, inclusive.'),
  groupBy: z.enum(USAGE_GROUPS).optional().describe('Sum over the other dimensions.'),
  cursor: z.string().max(400).optional().describe('The nextCursor of the previous page; absent: first page.'),
  limit: engineLimit,
});

export const usageResponse = z.object({
  items: z.array(
    z.object({
      day: z.string().optional(),
      publicKeyId: z.string().optional(),
      kind: z.string().optional(),
      count: z.number().int(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
