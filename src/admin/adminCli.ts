import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { UsageError } from '../cli/UsageError.js';
import type { AdminRole } from '../db/types.js';
import { ADMIN_ROLES } from './adminAuthTypes.js';

/**
 * `admin:create|reset-password`. The password is generated and printed once, never taken as a flag (a flag stays
 * in the shell's history and in `ps`).
 */
export function addAdminCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('admin:create')
    .description('Create an admin user; prints a generated password, shown only this once')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--email <email>', 'login email (unique across tenants)')
    .requiredOption('--role <role>', `role: ${[...ADMIN_ROLES].reverse().join(', ')}`)
    .action((o: { tenant: string; email: string; role: string }) => {
      if (!(ADMIN_ROLES as readonly string[]).includes(o.role)) {
        throw new UsageError(`--role must be one of ${ADMIN_ROLES.join(', ')}`);
      }
      return dispatch({ command: 'admin:create', tenant: o.tenant, email: o.email, role: o.role as AdminRole });
    });

  program
    .command('admin:reset-password')
    .description("Give an admin user a new generated password (printed once) and end the user's sessions")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--email <email>', 'login email')
    .action((o: { tenant: string; email: string }) =>
      dispatch({ command: 'admin:reset-password', tenant: o.tenant, email: o.email }),
    );
}
