import type { AppContext } from '../app/AppContext.js';
import type { AnalyticsDeps } from './runAnalyticsQuery.js';

/** The query's databases from the app: rollup upkeep on the primary, reads on the replica when one is configured. */
export function analyticsDeps(ctx: AppContext): AnalyticsDeps {
  return { db: ctx.db, readDb: ctx.readDb, clock: ctx.clock };
}
