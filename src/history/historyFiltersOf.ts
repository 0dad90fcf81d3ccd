import type { HistoryFilters } from './historyStore.js';

/** A history search as its callers take it (the admin route's query, the MCP tool's arguments), before mapping. */
export interface HistorySearchInput {
  customerId?: string | undefined;
  intent?: string | undefined;
  status?: string | undefined;
  /** RFC 3339. */
  from?: string | undefined;
  to?: string | undefined;
  includeTest?: boolean | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * The filters and page of `searchHistory` from a search: one mapping for the admin API and the MCP tool, so both
 * filter alike (test sessions are left out unless asked for).
 */
export function historyFiltersOf(input: HistorySearchInput): HistoryFilters & { cursor?: string; limit?: number } {
  return {
    ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
    ...(input.intent !== undefined ? { intentName: input.intent } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.from !== undefined ? { from: new Date(input.from) } : {}),
    ...(input.to !== undefined ? { to: new Date(input.to) } : {}),
    includeTest: input.includeTest === true,
    ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    ...(input.limit !== undefined ? { limit: input.limit } : {}),
  };
}
