import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { newId } from '../db/newId.js';
import type { Json } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from '../wire/webhookSchemas.js';
import { checkWebhookUrl } from './checkWebhookUrl.js';
import {
  type DeliverPayload,
  deliverJobKey,
  WEBHOOK_DELIVER_TASK,
  WEBHOOK_JOB_MAX_ATTEMPTS,
} from './emitWebhookEvent.js';
import { newWebhookSecret, sealWebhookSecret } from './webhookSecret.js';

export interface WebhookEndpointView {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  lastSuccessAt: string | null;
  createdAt: string;
}

export interface WebhookAttemptView {
  kind: 'attempt' | 'note';
  attempt: number;
  outcome: string;
  scheduledAt: string | null;
  startedAt: string;
  request: unknown;
  responseStatus: number | null;
  latencyMs: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponseStatus: number | null;
  redeliveryOf: string | null;
  createdAt: string;
  log: WebhookAttemptView[];
}

const invalid = (path: string, rule: string, message: string) =>
  new AppError('invalid_request', message, { fields: [{ path, rule, message }] });

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function endpointView(row: {
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  last_success_at: Date | null;
  created_at: Date;
}): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    lastSuccessAt: iso(row.last_success_at),
    createdAt: iso(row.created_at)!,
  };
}

/** The subscription map changed: this process re-reads it now (awaited), the others on the announcement. */
async function subscriptionsChanged(ctx: AppContext): Promise<void> {
  await ctx.webhooks.reload();
  await ctx.events.announce('webhooks');
}

function checkEventTypes(types: string[]): string[] {
  if (types.length === 0) {
    throw invalid('eventTypes', 'required', `give at least one event type (${WEBHOOK_EVENT_TYPES.join(', ')})`);
  }
  for (const type of types) {
    if (!isWebhookEventType(type)) {
      throw invalid('eventTypes', 'enum', `unknown event type "${type}" (one of ${WEBHOOK_EVENT_TYPES.join(', ')})`);
    }
  }
  return WEBHOOK_EVENT_TYPES.filter((t) => types.includes(t));
}

/**
 * Registers an endpoint; the returned `secret` (Standard Webhooks `whsec_…`) is the only time it leaves the server in
 * clear — it is stored encrypted. The URL must pass the outbound SSRF guard now (and again at every delivery).
 */
export async function createWebhookEndpoint(
  ctx: AppContext,
  input: { tenantId: string; url: string; eventTypes: string[]; description?: string },
  actor = 'cli',
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const eventTypes = checkEventTypes(input.eventTypes);
  const description = input.description?.trim() || null;
  if (description !== null && description.length > 500) {
    throw invalid('description', 'length', 'a description of at most 500 characters');
  }
  const url = await checkWebhookUrl(input.url, { allowPrivateNetworks: ctx.config.allowPrivateNetworks });
  const id = newId();
  const secret = newWebhookSecret();
  const row = await ctx.kysely.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('webhook_endpoints')
      .values({
        id,
        tenant_id: input.tenantId,
        url: url.href,
        event_types: JSON.stringify(eventTypes),
        secret_ciphertext: sealWebhookSecret(ctx.secrets, input.tenantId, id, secret),
        description,
        enabled: true,
        disabled_reason: null,
        disabled_at: null,
        last_success_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor,
      action: 'webhook.create',
      target: id,
      after: endpointView(inserted),
    });
    return inserted;
  });
  await subscriptionsChanged(ctx);
  return { endpoint: endpointView(row), secret };
}

export async function listWebhookEndpoints(ctx: AppContext, tenantId: string): Promise<WebhookEndpointView[]> {
  const rows = await ctx.kysely
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(endpointView);
}

/** Deletes an endpoint with its deliveries and log; pending deliveries' jobs find nothing and end. */
export async function deleteWebhookEndpoint(
  ctx: AppContext,
  tenantId: string,
  id: string,
  actor = 'cli',
): Promise<string> {
  if (!isUuid(id)) throw new AppError('not_found', `no webhook endpoint "${id}" in this tenant`);
  const row = await ctx.kysely.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('webhook_endpoints')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .returningAll()
      .executeTakeFirst();
    if (!deleted) throw new AppError('not_found', `no webhook endpoint "${id}" in this tenant`);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'webhook.delete',
      target: deleted.id,
      before: endpointView(deleted),
    });
    return deleted;
  });
  await subscriptionsChanged(ctx);
  return row.id;
}

/** Enables (after an auto-disable, say) or disables an endpoint. */
export async function setWebhookEndpointEnabled(
  ctx: AppContext,
  tenantId: string,
  id: string,
  enabled: boolean,
  actor = 'cli',
): Promise<WebhookEndpointView> {
  if (!isUuid(id)) throw new AppError('not_found', `no webhook endpoint "${id}" in this tenant`);
  const row = await ctx.kysely.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('webhook_endpoints')
      .set({
        enabled,
        disabled_reason: enabled ? null : 'disabled_by_admin',
        disabled_at: enabled ? null : new Date(),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found', `no webhook endpoint "${id}" in this tenant`);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: enabled ? 'webhook.enable' : 'webhook.disable',
      target: updated.id,
      after: endpointView(updated),
    });
    return updated;
  });
  await subscriptionsChanged(ctx);
  return endpointView(row);
}

/** Newest deliveries first, each with its log (attempts and notes, oldest first). */
export async function listWebhookDeliveries(
  ctx: AppContext,
  tenantId: string,
  options: { endpointId?: string; limit?: number } = {},
): Promise<WebhookDeliveryView[]> {
  if (options.endpointId !== undefined && !isUuid(options.endpointId)) {
    throw new AppError('not_found', `no webhook endpoint "${options.endpointId}" in this tenant`);
  }
  let query = ctx.kysely
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.endpoint_id',
      'd.event_id',
      'e.type',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_response_status',
      'd.redelivery_of',
      'd.created_at',
    ])
    .where('d.tenant_id', '=', tenantId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
  if (options.endpointId) query = query.where('d.endpoint_id', '=', options.endpointId.toLowerCase());
  const deliveries = await query.execute();
  if (deliveries.length === 0) return [];
  const log = await ctx.kysely
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(
      'delivery_id',
      'in',
      deliveries.map((d) => d.id),
    )
    .orderBy('id')
    .execute();
  return deliveries.map((d) => ({
    id: d.id,
    endpointId: d.endpoint_id,
    eventId: d.event_id,
    eventType: d.type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    lastResponseStatus: d.last_response_status,
    redeliveryOf: d.redelivery_of,
    createdAt: iso(d.created_at)!,
    log: log
      .filter((a) => a.delivery_id === d.id)
      .map((a) => ({
        kind: a.kind,
        attempt: a.attempt,
        outcome: a.outcome,
        scheduledAt: iso(a.scheduled_at),
        startedAt: iso(a.started_at)!,
        request: a.request,
        responseStatus: a.response_status,
        latencyMs: a.latency_ms,
        error: a.error,
        nextAttemptAt: iso(a.next_attempt_at),
      })),
  }));
}

/**
 * Sends an event again to the same endpoint, now: a new delivery (same event id, so receivers that already
 * processed it can dedupe) with its own attempts and log. A delivery still pending or sending is refused, as is an
 * endpoint that is disabled (enable it first).
 */
export async function redeliverWebhook(
  ctx: AppContext,
  tenantId: string,
  deliveryId: string,
  actor = 'cli',
): Promise<string> {
  const notFound = () => new AppError('not_found', `no webhook delivery "${deliveryId}" in this tenant`);
  if (!isUuid(deliveryId)) throw notFound();
  const now = new Date();
  const id = await ctx.kysely.transaction().execute(async (trx) => {
    const original = await trx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
      .select(['d.id', 'd.endpoint_id', 'd.event_id', 'd.status', 'w.enabled'])
      .where('d.tenant_id', '=', tenantId)
      .where('d.id', '=', deliveryId.toLowerCase())
      .executeTakeFirst();
    if (!original) throw notFound();
    if (original.status === 'pending' || original.status === 'sending') {
      throw invalid('deliveryId', 'state', `this delivery is still ${original.status}: redeliver it once it ended`);
    }
    if (!original.enabled) {
      throw invalid('endpoint', 'enabled', 'the endpoint is disabled: enable it first (webhook:enable)');
    }
    const id = newId();
    await trx
      .insertInto('webhook_deliveries')
      .values({
        id,
        tenant_id: tenantId,
        endpoint_id: original.endpoint_id,
        event_id: original.event_id,
        redelivery_of: original.id,
        status: 'pending',
        attempts: 0,
        // Queued here at once rather than by the relay.
        queued: true,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const payload: DeliverPayload = { tenantId, deliveryId: id, attempt: 1 };
    await ctx.jobs.enqueue(trx, {
      task: WEBHOOK_DELIVER_TASK,
      payload: payload as unknown as Json,
      jobKey: deliverJobKey(id, 1),
      maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
    });
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'webhook.redeliver',
      target: id,
      before: { deliveryId: original.id, status: original.status },
      after: { deliveryId: id, redeliveryOf: original.id },
    });
    return id;
  });
  ctx.jobs.wake();
  return id;
}
