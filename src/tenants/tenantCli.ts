import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { UsageError } from '../cli/UsageError.js';

/** `tenant:create`, `tenant:update`. */
export function addTenantCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('tenant:create')
    .description('Create a tenant; prints its id')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--slug <slug>', 'short unique name (a-z, 0-9, -)')
    .action((o: { name: string; slug: string }) => dispatch({ command: 'tenant:create', name: o.name, slug: o.slug }));
  program
    .command('tenant:update')
    .description('Change a tenant setting; prints the tenant id')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .option(
      '--retention-days <days|off>',
      'days raw transcripts, events, uploads and webhook delivery logs are kept (1–36500), or "off" to keep them',
    )
    .action((o: { tenant: string; retentionDays?: string }) => {
      if (o.retentionDays === undefined) throw new UsageError('nothing to update: give --retention-days');
      const days = o.retentionDays === 'off' ? null : Number(o.retentionDays);
      if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 36_500)) {
        throw new UsageError('--retention-days must be a whole number of days from 1 to 36500, or "off"');
      }
      return dispatch({ command: 'tenant:update', tenant: o.tenant, retentionDays: days });
    });
}
