import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** `tenant:create`. */
export function addTenantCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('tenant:create')
    .description('Create a tenant; prints its id')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--slug <slug>', 'short unique name (a-z, 0-9, -)')
    .action((o: { name: string; slug: string }) => dispatch({ command: 'tenant:create', name: o.name, slug: o.slug }));
}
