import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { DEFAULT_PRICES, type ModelPrice } from './defaultPrices.js';

/** The price a tenant pays for a model: its override, else the shipped default, else undefined (unknown model). */
export async function priceFor(db: Kysely<Database>, tenantId: string, model: string): Promise<ModelPrice | undefined> {
  const row = await db
    .selectFrom('llm_prices')
    .select(['prompt_micros_per_mtok', 'completion_micros_per_mtok'])
    .where('tenant_id', '=', tenantId)
    .where('model', '=', model)
    .executeTakeFirst();
  if (row) {
    return {
      promptMicrosPerMTok: Number(row.prompt_micros_per_mtok),
      completionMicrosPerMTok: Number(row.completion_micros_per_mtok),
    };
  }
  return Object.hasOwn(DEFAULT_PRICES, model) ? DEFAULT_PRICES[model] : undefined;
}

export async function setPrice(
  db: Kysely<Database>,
  tenantId: string,
  model: string,
  price: ModelPrice,
): Promise<void> {
  await db
    .insertInto('llm_prices')
    .values({
      tenant_id: tenantId,
      model,
      prompt_micros_per_mtok: price.promptMicrosPerMTok,
      completion_micros_per_mtok: price.completionMicrosPerMTok,
      updated_at: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'model']).doUpdateSet({
        prompt_micros_per_mtok: price.promptMicrosPerMTok,
        completion_micros_per_mtok: price.completionMicrosPerMTok,
        updated_at: new Date(),
      }),
    )
    .execute();
}

export interface PriceRow extends ModelPrice {
  model: string;
  source: 'default' | 'tenant';
}

/** The tenant's effective price table: shipped defaults with its overrides on top, by model name. */
export async function listPrices(db: Kysely<Database>, tenantId: string): Promise<PriceRow[]> {
  const rows = await db
    .selectFrom('llm_prices')
    .select(['model', 'prompt_micros_per_mtok', 'completion_micros_per_mtok'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const table = new Map<string, PriceRow>();
  for (const [model, price] of Object.entries(DEFAULT_PRICES)) table.set(model, { model, ...price, source: 'default' });
  for (const r of rows) {
    table.set(r.model, {
      model: r.model,
      promptMicrosPerMTok: Number(r.prompt_micros_per_mtok),
      completionMicrosPerMTok: Number(r.completion_micros_per_mtok),
      source: 'tenant',
    });
  }
  return [...table.values()].sort((a, b) => a.model.localeCompare(b.model));
}
