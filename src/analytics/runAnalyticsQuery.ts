import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import type { AnalyticsQuery, AnalyticsResult } from '../wire/analyticsSchemas.js';

/** What a query needs: the primary (rollup upkeep), the reads' database (a replica when DATABASE_READ_URL is set). */
export interface AnalyticsDeps {
  db: { kysely: Kysely<Database> };
  /** Where rollups are read; absent: `db`. */
  readDb?: { kysely: Kysely<Database> } | undefined;
  /** "Today" for presets; tests move it. */
  clock: () => Date;
}

/** Answers a query definition (DESIGN §13) for one tenant from the rollups, in the tenant's time zone. */
export async function runAnalyticsQuery(
  _deps: AnalyticsDeps,
  _tenantId: string,
  _query: AnalyticsQuery,
): Promise<AnalyticsResult> {
  throw new AppError('internal_error', 'Analytics queries are not available yet.');
}
