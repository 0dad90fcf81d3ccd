import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import type { WebhookSubscriptions } from '../webhooks/WebhookSubscriptions.js';
import { conversionView } from './reportConversion.js';

/**
 * The `conversion.created` webhook of client `purchase` conversions a telemetry batch created (unverified), in the
 * batch's transaction. The conversions are read back only for a tenant subscribed to the event.
 */
export async function clientConversionsCreated(
  db: Kysely<Database>,
  webhooks: WebhookSubscriptions,
  tenantId: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0 || webhooks.endpointsFor(tenantId, 'conversion.created').length === 0) return;
  const rows = await db
    .selectFrom('conversions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .orderBy('created_at')
    .execute();
  for (const row of rows) {
    const { id: conversionId, ...rest } = conversionView(row);
    await emitWebhookEvent(db, webhooks, {
      tenantId,
      type: 'conversion.created',
      occurredAt: new Date(rest.createdAt),
      data: { conversionId, ...rest, replacedClient: false },
    });
  }
}
