import { type Kysely, type RawBuilder, sql } from 'kysely';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { Database } from '../db/types.js';
import type { Json, JsonObject } from '../engine/types.js';
import type { WebhookEventData, WebhookEventType } from '../wire/webhookSchemas.js';
import type { WebhookSubscriptions } from './WebhookSubscriptions.js';

export const WEBHOOK_DELIVER_TASK = 'webhook.deliver';
// (The delivery jobs are enqueued by relayDeliveries, deliverWebhook's retries, redeliverWebhook and rescueDeliveries.)
/** Queue-level retries cover infrastructure failures only; HTTP failures are retried by the delivery's own schedule. */
export const WEBHOOK_JOB_MAX_ATTEMPTS = 5;

/** What the delivery job carries: which delivery, and which attempt it is (a stale or duplicate job is a no-op). */
export interface DeliverPayload {
  tenantId: string;
  deliveryId: string;
  attempt: number;
}

export function deliverJobKey(deliveryId: string, attempt: number): string {
  return `webhook:${deliveryId}:${attempt}`;
}

export interface WebhookEventInput<T extends WebhookEventType> {
  tenantId: string;
  type: T;
  data: WebhookEventData<T>;
  /** When it happened (the envelope's `timestamp`); default now. */
  occurredAt?: Date;
}

/**
 * Writes a webhook event to the outbox inside the caller's transaction `trx`, so it exists exactly when the change it
 * reports committed (a rolled-back change emits nothing). When the tenant has no enabled endpoint subscribed to the
 * type — known from memory — it returns at once: no query, no row. Otherwise one statement: the event row and one
 * delivery row per subscribed endpoint (re-checked in SQL: an endpoint disabled or deleted meanwhile gets none). No
 * job is enqueued here — the worker's relay (relayDeliveries) queues new deliveries in batches, outside the turns'
 * transactions. Returns the event id (the `webhook-id` receivers dedupe on), or null when nothing was written.
 */
export async function emitWebhookEvent<T extends WebhookEventType>(
  trx: Kysely<Database>,
  subscriptions: WebhookSubscriptions,
  event: WebhookEventInput<T>,
): Promise<string | null> {
  const endpoints = subscriptions.endpointsFor(event.tenantId, event.type);
  if (endpoints.length === 0) return null;
  const id = newId();
  const at = event.occurredAt ?? new Date();
  const payload: JsonObject = { type: event.type, timestamp: at.toISOString(), data: event.data as unknown as Json };
  const deliveries = await sql<{ id: string }>`
    with ev as (
      insert into webhook_events (id, tenant_id, type, payload, created_at)
      values (${id}::uuid, ${event.tenantId}::uuid, ${event.type}, ${json(payload)}::jsonb, ${at}::timestamptz)
      returning id
    )
    insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
      created_at, updated_at)
    select gen_random_uuid(), w.tenant_id, w.id, ev.id, 'pending', 0, ${at}::timestamptz, ${at}::timestamptz,
      ${at}::timestamptz
    from webhook_endpoints w cross join ev
    where w.tenant_id = ${event.tenantId}::uuid and w.enabled
      and w.id = any(${`{${endpoints.join(',')}}`}::uuid[])
      and w.event_types ? ${event.type}
    returning id`.execute(trx);
  if (deliveries.rows.length > 0) subscriptions.written();
  return id;
}

/**
 * The same outbox rows as `emitWebhookEvent`, as data-modifying CTEs for a chat turn's own statement (writeTurn's
 * `outbox`), so a subscribed tenant's turn stays one autocommit round trip. The rows are written only along with the
 * turn's execution row (`e`): when the turn's conditions fail, its statement writes nothing at all. Empty (no SQL)
 * when the tenant subscribed to none of the events' types.
 */
export function webhookEventsCte(
  subscriptions: WebhookSubscriptions,
  tenantId: string,
  events: readonly WebhookEventInput<WebhookEventType>[],
): RawBuilder<unknown> | undefined {
  const wanted = events.filter((e) => subscriptions.endpointsFor(tenantId, e.type).length > 0);
  if (wanted.length === 0) return undefined;
  const endpoints = [...new Set(wanted.flatMap((e) => subscriptions.endpointsFor(tenantId, e.type)))];
  const rows = wanted.map((event) => {
    const at = event.occurredAt ?? new Date();
    const payload = { type: event.type, timestamp: at.toISOString(), data: event.data };
    return sql`(${newId()}::uuid, ${event.type}, ${json(payload)}::jsonb, ${at}::timestamptz)`;
  });
  subscriptions.written();
  return sql`, wh_ev as (
    insert into webhook_events (id, tenant_id, type, payload, created_at)
    select v.id, ${tenantId}::uuid, v.type, v.payload, v.at
    from (values ${sql.join(rows)}) v(id, type, payload, at)
    where exists (select 1 from e)
    returning id, type, created_at
  ), wh_del as (
    insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
      created_at, updated_at)
    select gen_random_uuid(), w.tenant_id, w.id, ev.id, 'pending', 0, ev.created_at, ev.created_at, ev.created_at
    from wh_ev ev join webhook_endpoints w on w.event_types ? ev.type
    where w.tenant_id = ${tenantId}::uuid and w.enabled and w.id = any(${`{${endpoints.join(',')}}`}::uuid[])
    returning 1
  )`;
}
