import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** `analytics:rebuild`: recompute rollups from raw data (after a restore, a fix, or to check the incremental ones). */
export function addAnalyticsCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('analytics:rebuild')
    .description(
      'Recompute the analytics rollups from the raw rows, within each tenant’s retention period (older rollup rows are kept)',
    )
    .option('--tenant <idOrSlug>', 'only this tenant (default: every tenant)')
    .action((o: { tenant?: string }) =>
      dispatch({ command: 'analytics:rebuild', ...(o.tenant !== undefined ? { tenant: o.tenant } : {}) }),
    );
}
