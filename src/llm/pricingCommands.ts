import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { modelPrices, setModelPrice } from './pricingService.js';

export type PricingCommandRequest =
  | { command: 'pricing:set'; tenant: string; model: string; prompt: string; completion: string }
  | { command: 'pricing:list'; tenant: string };

const usd = (micros: number) => (micros / 1e6).toFixed(6).replace(/\.?0+$/, '');

export async function runPricingCommand(ctx: AppContext, request: PricingCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  switch (request.command) {
    case 'pricing:set': {
      const { command: _c, tenant: _t, ...input } = request;
      return (await setModelPrice(ctx, { ...input, tenantId: tenant.id })).model;
    }
    case 'pricing:list':
      return formatTable(
        ['MODEL', 'PROMPT USD/1M', 'COMPLETION USD/1M', 'SOURCE'],
        (await modelPrices(ctx, tenant.id)).map((p) => [
          p.model,
          usd(p.promptMicrosPerMTok),
          usd(p.completionMicrosPerMTok),
          p.source,
        ]),
      );
  }
}
