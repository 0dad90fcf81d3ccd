import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { collect, UsageError } from '../cli/UsageError.js';
import { WEBHOOK_EVENT_TYPES } from '../wire/webhookSchemas.js';

/** The flag that sets each field of the webhook service's rules, so its messages name what the user typed. */
export const WEBHOOK_FLAGS: Record<string, string> = {
  url: '--url',
  eventTypes: '--event',
  description: '--description',
};

/** `webhook:create|list|deliveries|redeliver|enable|disable|delete`. */
export function addWebhookCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('webhook:create')
    .description('Register a webhook endpoint; prints its whsec_ signing secret, which is shown only this once')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--url <url>', 'http(s) URL receiving the events (public addresses only)')
    .option('--event <type>', `event type (repeatable): ${WEBHOOK_EVENT_TYPES.join(', ')}`, collect, [])
    .option('--description <text>', 'shown in webhook:list')
    .action((o: { tenant: string; url: string; event: string[]; description?: string }) => {
      if (o.event.length === 0) throw new UsageError(`give at least one --event (${WEBHOOK_EVENT_TYPES.join(', ')})`);
      return dispatch({
        command: 'webhook:create',
        tenant: o.tenant,
        url: o.url,
        eventTypes: o.event,
        ...(o.description !== undefined ? { description: o.description } : {}),
      });
    });

  program
    .command('webhook:list')
    .description("List a tenant's webhook endpoints (never their secrets)")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'webhook:list', tenant: o.tenant }));

  program
    .command('webhook:deliveries')
    .description('The delivery log, newest first: one line per attempt or note')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .option('--endpoint <id>', 'only this endpoint')
    .option('--limit <n>', 'deliveries to show (default 50)')
    .action((o: { tenant: string; endpoint?: string; limit?: string }) => {
      const limit = o.limit === undefined ? undefined : Number(o.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
        throw new UsageError('--limit must be an integer from 1 to 500');
      }
      return dispatch({
        command: 'webhook:deliveries',
        tenant: o.tenant,
        ...(o.endpoint !== undefined ? { endpointId: o.endpoint } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
    });

  program
    .command('webhook:redeliver')
    .description('Send a delivery again now, as a new delivery of the same event; prints the new delivery id')
    .argument('<deliveryId>', 'a delivery id from webhook:deliveries')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((id: string, o: { tenant: string }) =>
      dispatch({ command: 'webhook:redeliver', tenant: o.tenant, deliveryId: id }),
    );

  for (const [name, enabled] of [
    ['webhook:enable', true],
    ['webhook:disable', false],
  ] as const) {
    program
      .command(name)
      .description(`${enabled ? 'Enable (e.g. after an auto-disable)' : 'Disable'} an endpoint; prints its id`)
      .argument('<id>', 'the endpoint id from webhook:list')
      .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
      .action((id: string, o: { tenant: string }) => dispatch({ command: name, tenant: o.tenant, id }));
  }

  program
    .command('webhook:delete')
    .description('Delete an endpoint with its deliveries and log; prints its id')
    .argument('<id>', 'the endpoint id from webhook:list')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((id: string, o: { tenant: string }) => dispatch({ command: 'webhook:delete', tenant: o.tenant, id }));
}
