import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  setWebhookEndpointEnabled,
} from './webhookService.js';

export type WebhookCommandRequest =
  | { command: 'webhook:create'; tenant: string; url: string; eventTypes: string[]; description?: string }
  | { command: 'webhook:list'; tenant: string }
  | { command: 'webhook:deliveries'; tenant: string; endpointId?: string; limit?: number }
  | { command: 'webhook:redeliver'; tenant: string; deliveryId: string }
  | { command: 'webhook:enable' | 'webhook:disable'; tenant: string; id: string }
  | { command: 'webhook:delete'; tenant: string; id: string };

export async function runWebhookCommand(ctx: AppContext, request: WebhookCommandRequest): Promise<string> {
  const tenantId = (await requireTenant(ctx, request.tenant)).id;
  switch (request.command) {
    case 'webhook:create':
      return (
        await createWebhookEndpoint(ctx, {
          tenantId,
          url: request.url,
          eventTypes: request.eventTypes,
          ...(request.description !== undefined ? { description: request.description } : {}),
        })
      ).secret;
    case 'webhook:list':
      return formatTable(
        ['ID', 'URL', 'EVENTS', 'ENABLED', 'LAST SUCCESS'],
        (await listWebhookEndpoints(ctx, tenantId)).map((e) => [
          e.id,
          e.url,
          e.eventTypes.join(','),
          e.enabled ? 'yes' : `no (${e.disabledReason ?? 'disabled'})`,
          e.lastSuccessAt ?? '-',
        ]),
      );
    case 'webhook:deliveries': {
      const deliveries = await listWebhookDeliveries(ctx, tenantId, {
        ...(request.endpointId !== undefined ? { endpointId: request.endpointId } : {}),
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
      });
      const rows = deliveries.flatMap((d) => {
        const head = [d.id, d.eventType, d.status];
        if (d.log.length === 0) return [[...head, '-', 'pending', '-', '-', d.nextAttemptAt ?? '-']];
        return d.log.map((a) => [
          ...head,
          String(a.attempt),
          a.outcome,
          a.responseStatus === null ? '-' : String(a.responseStatus),
          a.latencyMs === null ? '-' : `${a.latencyMs}ms`,
          a.startedAt,
        ]);
      });
      return formatTable(['DELIVERY', 'EVENT', 'STATUS', 'ATTEMPT', 'OUTCOME', 'CODE', 'LATENCY', 'AT'], rows);
    }
    case 'webhook:redeliver':
      return redeliverWebhook(ctx, tenantId, request.deliveryId);
    case 'webhook:enable':
    case 'webhook:disable':
      return (await setWebhookEndpointEnabled(ctx, tenantId, request.id, request.command === 'webhook:enable')).id;
    case 'webhook:delete':
      return deleteWebhookEndpoint(ctx, tenantId, request.id);
  }
}
