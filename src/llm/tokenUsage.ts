import type { Json, JsonObject } from '../engine/types.js';

/**
 * LLM token usage as replies, polls, streams and the `chat.execution.updated` webhook carry it (DESIGN §4, §6):
 * sums over a turn; `model` is the model of the last call.
 */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  model: string;
  cost_micros: number;
  cost_usd: number;
}

/** One call's usage (or a turn's sum so far) plus another call's. */
export function addUsage(sum: TokenUsage | null | undefined, call: TokenUsage): TokenUsage {
  if (!sum) return { ...call, cost_usd: call.cost_micros / 1e6 };
  const cost = sum.cost_micros + call.cost_micros;
  return {
    prompt_tokens: sum.prompt_tokens + call.prompt_tokens,
    completion_tokens: sum.completion_tokens + call.completion_tokens,
    total_tokens: sum.total_tokens + call.total_tokens,
    model: call.model,
    cost_micros: cost,
    cost_usd: cost / 1e6,
  };
}

/** The stored `turn_usage` column read back, or undefined when it holds nothing usable. */
export function tokenUsageOf(stored: Json | null | undefined): TokenUsage | undefined {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return undefined;
  const u = stored as JsonObject;
  const n = (key: string) => (typeof u[key] === 'number' ? (u[key] as number) : 0);
  if (typeof u.model !== 'string') return undefined;
  const cost = n('cost_micros');
  return {
    prompt_tokens: n('prompt_tokens'),
    completion_tokens: n('completion_tokens'),
    total_tokens: n('total_tokens'),
    model: u.model,
    cost_micros: cost,
    cost_usd: cost / 1e6,
  };
}
