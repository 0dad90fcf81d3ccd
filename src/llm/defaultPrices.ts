/** A model's price in micro-USD per 1 M tokens (so $2.50 / 1M = 2_500_000). */
export interface ModelPrice {
  promptMicrosPerMTok: number;
  completionMicrosPerMTok: number;
}

/**
 * Shipped defaults for common models (list prices when this table was written; a tenant overrides any of them with
 * `comerix pricing:set`). A model not listed here and not overridden costs 0, with a warning in the log.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { promptMicrosPerMTok: 2_500_000, completionMicrosPerMTok: 10_000_000 },
  'gpt-4o-mini': { promptMicrosPerMTok: 150_000, completionMicrosPerMTok: 600_000 },
  'gpt-4.1': { promptMicrosPerMTok: 2_000_000, completionMicrosPerMTok: 8_000_000 },
  'gpt-4.1-mini': { promptMicrosPerMTok: 400_000, completionMicrosPerMTok: 1_600_000 },
  'gpt-4.1-nano': { promptMicrosPerMTok: 100_000, completionMicrosPerMTok: 400_000 },
  'gpt-5': { promptMicrosPerMTok: 1_250_000, completionMicrosPerMTok: 10_000_000 },
  'gpt-5-mini': { promptMicrosPerMTok: 250_000, completionMicrosPerMTok: 2_000_000 },
  'gpt-5-nano': { promptMicrosPerMTok: 50_000, completionMicrosPerMTok: 400_000 },
  'o3-mini': { promptMicrosPerMTok: 1_100_000, completionMicrosPerMTok: 4_400_000 },
  'o4-mini': { promptMicrosPerMTok: 1_100_000, completionMicrosPerMTok: 4_400_000 },
};

/** Cost of one call in whole micro-USD (rounded once, per call). */
export function costMicros(price: ModelPrice, usage: { prompt_tokens: number; completion_tokens: number }): number {
  return Math.round(
    (usage.prompt_tokens * price.promptMicrosPerMTok + usage.completion_tokens * price.completionMicrosPerMTok) / 1e6,
  );
}
