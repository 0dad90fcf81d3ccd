import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { UsageError } from '../cli/UsageError.js';
import { USAGE_GROUPS, type UsageGroup } from './readUsage.js';
import { USAGE_KINDS, type UsageKind } from './usageKinds.js';

const KINDS: readonly string[] = [...USAGE_KINDS, 'tokens'];

/** `usage:show`: the one usage command (the Engine API's GET /usage reads the same counters and token spend). */
export function addUsageCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('usage:show')
    .description('Usage per widget key × UTC day × kind, or the tenant’s LLM token spend (--kind=tokens)')
    .option('--key <key>', 'a widget key (pk_live_…); its tenant is implied')
    .option('--tenant <idOrSlug>', 'every key of this tenant (or the tenant of --key)')
    .option('--kind <kind>', `only this kind: ${KINDS.join(', ')} (tokens: LLM token spend)`)
    .option('--from <day>', 'first UTC day, YYYY-MM-DD')
    .option('--to <day>', 'last UTC day, YYYY-MM-DD')
    .option('--group-by <dimension>', 'sum over the others: day, key or kind; with --kind=tokens day, flow or model')
    .action((o: { key?: string; tenant?: string; kind?: string; from?: string; to?: string; groupBy?: string }) => {
      if (o.key === undefined && o.tenant === undefined) throw new UsageError('give --key or --tenant');
      if (o.kind !== undefined && !KINDS.includes(o.kind)) {
        throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
      }
      if (o.groupBy !== undefined && !(USAGE_GROUPS as readonly string[]).includes(o.groupBy)) {
        throw new UsageError(`--group-by must be one of ${USAGE_GROUPS.join(', ')}`);
      }
      return dispatch({
        command: 'usage:show',
        ...(o.key !== undefined ? { key: o.key } : {}),
        ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
        ...(o.kind !== undefined ? { kind: o.kind as UsageKind | 'tokens' } : {}),
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.to !== undefined ? { to: o.to } : {}),
        ...(o.groupBy !== undefined ? { groupBy: o.groupBy as UsageGroup } : {}),
      });
    });
}
