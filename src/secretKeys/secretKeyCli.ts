import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { collect, UsageError } from '../cli/UsageError.js';
import { SECRET_KEY_SCOPES } from '../db/types.js';

/** The flag that sets each field of the secret key service's rules, so its messages name what the user typed. */
export const SECRET_KEY_FLAGS: Record<string, string> = { scopes: '--scope' };

/** `secret-key:create|list|revoke`. */
export function addSecretKeyCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('secret-key:create')
    .description('Issue a server-side secret key (Engine API); prints the sk_live_ key, which is shown only this once')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--label <label>', 'label shown in secret-key:list')
    .option('--scope <scope>', `scope (repeatable): ${SECRET_KEY_SCOPES.join(', ')}`, collect, [])
    .action((o: { tenant: string; label: string; scope: string[] }) => {
      if (o.scope.length === 0) throw new UsageError(`give at least one --scope (${SECRET_KEY_SCOPES.join(', ')})`);
      return dispatch({ command: 'secret-key:create', tenant: o.tenant, label: o.label, scopes: o.scope });
    });

  program
    .command('secret-key:list')
    .description("List a tenant's secret keys (ids and prefixes, never the keys)")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'secret-key:list', tenant: o.tenant }));

  program
    .command('secret-key:revoke')
    .description('Revoke a secret key by id; requests with it get 401 at once; prints the id')
    .argument('<id>', 'the key id from secret-key:list')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((id: string, o: { tenant: string }) => dispatch({ command: 'secret-key:revoke', tenant: o.tenant, id }));
}
