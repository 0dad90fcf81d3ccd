import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** `customer:export`, `customer:delete` (DESIGN §12). */
export function addCustomerCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('customer:export')
    .description('Print everything held about a customer as one JSON document (as GET /customers/{id}/export)')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--customer <customerId>', 'the customerId the widget passed')
    .action((o: { tenant: string; customer: string }) =>
      dispatch({ command: 'customer:export', tenant: o.tenant, customerId: o.customer }),
    );
  program
    .command('customer:delete')
    .description(
      'Delete everything held about a customer in one transaction (conversions stay, anonymized); prints the counts as JSON',
    )
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--customer <customerId>', 'the customerId the widget passed')
    .action((o: { tenant: string; customer: string }) =>
      dispatch({ command: 'customer:delete', tenant: o.tenant, customerId: o.customer }),
    );
}
