// Wire shapes of the published reads (DESIGN §9).
import { z } from 'zod';

const pageType = z.string().min(1).max(64);

export const quickQuestionsQuery = z.object({
  publicKey: z.string().optional().describe('The public key (or the X-Comerix-Public-Key header).'),
  pageType: z
    .union([pageType, z.array(pageType).max(20)])
    .optional()
    .describe('Repeatable: items for any of these page types (plus those for every page).'),
  pageTypes: z.string().max(1300).optional().describe('Or a comma-separated list: pageTypes=product,cart.'),
});

export const quickQuestionsResponse = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      text: z.string(),
      intentName: z.string().optional(),
      pageTypes: z.array(z.string()).describe('Empty: shown on every page.'),
      position: z.number().int(),
    }),
  ),
});

export const configParams = z.object({
  section: z.string().min(1).max(64).describe('A public config section, e.g. appearance.'),
});

export const configResponse = z.object({
  section: z.string(),
  values: z.record(z.string(), z.unknown()),
});
