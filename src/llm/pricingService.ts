import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import { listPrices, type PriceRow, setPrice } from './priceStore.js';

/** USD per 1 M tokens as decimal text (`2.5`, `0.15`, at most 6 decimals: whole micro-USD) → micro-USD per 1 M. */
export function usdToMicros(text: string): number | undefined {
  const match = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/**
 * Sets a tenant's price for a model (over the shipped default), in USD per 1 M prompt and completion tokens as
 * decimal text. Calls made from then on are costed with it; calls already stored keep their cost.
 */
export async function setModelPrice(
  ctx: AppContext,
  input: { tenantId: string; model: string; prompt: string; completion: string },
  actor = 'cli',
): Promise<PriceRow> {
  const issues: FieldIssue[] = [];
  if (typeof input.model !== 'string' || !/^[\u0021-\u007e]{1,200}$/.test(input.model)) {
    issues.push({ path: 'model', rule: 'text', message: 'model must be 1–200 printable characters without spaces' });
  }
  const prompt = usdToMicros(String(input.prompt));
  const completion = usdToMicros(String(input.completion));
  const rule = 'USD per 1M tokens, a decimal number with at most 6 decimals (e.g. 2.5)';
  if (prompt === undefined) issues.push({ path: 'prompt', rule: 'price', message: `prompt must be ${rule}` });
  if (completion === undefined)
    issues.push({ path: 'completion', rule: 'price', message: `completion must be ${rule}` });
  if (issues.length > 0) {
    throw new AppError('invalid_request', issues.map((i) => i.message).join('; '), { fields: issues });
  }
  const price = { promptMicrosPerMTok: prompt!, completionMicrosPerMTok: completion! };
  await ctx.kysely.transaction().execute(async (trx) => {
    await setPrice(trx, input.tenantId, input.model, price);
    await recordAudit(trx, { tenantId: input.tenantId, actor, action: 'price.set', target: input.model, after: price });
  });
  return { model: input.model, ...price, source: 'tenant' };
}

export function modelPrices(ctx: AppContext, tenantId: string): Promise<PriceRow[]> {
  return listPrices(ctx.kysely, tenantId);
}
