import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { AppError } from '../errors/AppError.js';
import { findKey } from '../keys/keyStore.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { readUsage, type TokenSpendItem, type UsageGroup, type UsageRow } from './readUsage.js';
import type { UsageKind } from './usageKinds.js';

export interface UsageCommandRequest {
  command: 'usage:show';
  key?: string;
  tenant?: string;
  kind?: UsageKind | 'tokens';
  from?: string;
  to?: string;
  groupBy?: UsageGroup;
}

/** Every page of the counters, as one table (keys shown by their value). */
export async function runUsageCommand(ctx: AppContext, request: UsageCommandRequest): Promise<string> {
  const tenant = request.tenant !== undefined ? await requireTenant(ctx, request.tenant) : undefined;
  const key = request.key !== undefined ? await findKey(ctx.kysely, request.key, tenant?.id) : undefined;
  if (request.key !== undefined && !key) throw new AppError('not_found', 'no such widget key');
  const tenantId = tenant?.id ?? key!.tenant_id;
  if (request.kind === 'tokens') return tokenTable(ctx, tenantId, request);
  const rows: UsageRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await readUsage(ctx, {
      tenantId,
      key: key?.id,
      kind: request.kind,
      from: request.from,
      to: request.to,
      groupBy: request.groupBy,
      cursor,
      limit: 100,
    });
    rows.push(...(page.items as UsageRow[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const keys = new Map<string, string>();
  for (const k of await ctx.kysely
    .selectFrom('public_keys')
    .select(['id', 'key'])
    .where('tenant_id', '=', tenantId)
    .execute()) {
    keys.set(k.id, k.key);
  }
  const columns = request.groupBy ? [request.groupBy] : (['day', 'key', 'kind'] as const);
  return formatTable(
    [...columns.map((c) => c.toUpperCase()), 'COUNT'],
    rows.map((r) => [
      ...columns.map((c) =>
        c === 'day' ? r.day! : c === 'kind' ? r.kind! : (keys.get(r.publicKeyId!) ?? r.publicKeyId!),
      ),
      String(r.count),
    ]),
  );
}

/** `--kind=tokens`: the tenant's token spend per day, flow or model (cost in USD). */
async function tokenTable(ctx: AppContext, tenantId: string, request: UsageCommandRequest): Promise<string> {
  const groupBy = request.groupBy ?? 'day';
  const rows: TokenSpendItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await readUsage(ctx, {
      tenantId,
      kind: 'tokens',
      from: request.from,
      to: request.to,
      groupBy,
      cursor,
      limit: 100,
    });
    rows.push(...(page.items as TokenSpendItem[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return formatTable(
    [groupBy.toUpperCase(), 'CALLS', 'PROMPT', 'COMPLETION', 'TOTAL', 'COST_USD'],
    rows.map((r) => [
      r.day ?? r.intentName ?? r.model ?? '',
      String(r.calls),
      String(r.prompt_tokens),
      String(r.completion_tokens),
      String(r.total_tokens),
      r.cost_usd.toFixed(6),
    ]),
  );
}
