import type { z } from 'zod';
import type { AppContext } from '../app/AppContext.js';
import { clientConversionsCreated } from '../conversions/conversionCreated.js';
import { toMinorUnits } from '../conversions/money.js';
import { newId } from '../db/newId.js';
import type { Json, JsonObject } from '../engine/types.js';
import { unstorableString } from '../engine/unstorableString.js';
import type { FieldIssue } from '../errors/AppError.js';
import { goalReached } from '../goals/goalReached.js';
import type { SessionOrPublicKey } from '../http/auth/sessionOrPublicKeyAuth.js';
import { deepestPoint } from '../http/jsonDepth.js';
import type { Receipt } from '../idempotency/Receipt.js';
import {
  type IngestResult,
  MAX_FUTURE_SKEW_MS,
  MAX_PROPERTY_BYTES,
  MAX_PROPERTY_DEPTH,
  MAX_PROPERTY_KEYS,
  type StandardEventType,
  standardEventProperties,
  telemetryEvent,
} from './eventSchemas.js';
import { type EventRow, insertEvents, type PurchaseRow } from './telemetryStore.js';

type Rejection = IngestResult['rejected'][number];

const invalid = (index: number, fields: FieldIssue[], message?: string): Rejection => ({
  index,
  error: {
    code: 'validation_failed',
    message: message ?? `${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`,
    details: { fields },
  },
});

const zodFields = (error: z.ZodError, prefix?: string): FieldIssue[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(event)',
    rule: issue.code,
    message: issue.message,
  }));

function propertyIssues(properties: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const keys = Object.keys(properties).length;
  if (keys > MAX_PROPERTY_KEYS) {
    issues.push({ path: 'properties', rule: 'max_keys', message: `at most ${MAX_PROPERTY_KEYS} keys (got ${keys})` });
  }
  const bytes = Buffer.byteLength(JSON.stringify(properties), 'utf8');
  if (bytes > MAX_PROPERTY_BYTES) {
    issues.push({
      path: 'properties',
      rule: 'max_bytes',
      message: `at most ${MAX_PROPERTY_BYTES} bytes (got ${bytes})`,
    });
  }
  if (deepestPoint(properties).depth > MAX_PROPERTY_DEPTH) {
    issues.push({
      path: 'properties',
      rule: 'max_depth',
      message: `nesting depth must be at most ${MAX_PROPERTY_DEPTH}`,
    });
  }
  const pageType = properties.pageType;
  if (pageType !== undefined && (typeof pageType !== 'string' || pageType.length === 0 || pageType.length > 64)) {
    issues.push({ path: 'properties.pageType', rule: 'type', message: 'must be a string of 1–64 characters' });
  }
  return issues;
}

const isStandard = (type: string): type is StandardEventType => Object.hasOwn(standardEventProperties, type);

/**
 * Validates each event on its own and stores the valid ones in one statement (with their goal hits and purchases'
 * conversions). A session's events belong to its conversation and customer; a public key's events are anonymous
 * (their anonymousId is stored, no conversation). `clientEventId` dedupes per tenant: an event whose id is already
 * stored — or appears earlier in the same batch — counts as a duplicate and is not stored again.
 */
export async function ingestEvents(
  ctx: AppContext,
  caller: SessionOrPublicKey,
  events: readonly unknown[],
  options: { anonymousId?: string | undefined; receipt?: Receipt | undefined; status?: number } = {},
): Promise<IngestResult> {
  const session = caller.kind === 'session' ? caller.session : undefined;
  const key = caller.kind === 'session' ? caller.session.key : caller.key;
  const tenantId = key.tenant_id;
  const now = Date.now();
  const rejected: Rejection[] = [];
  const rows: EventRow[] = [];
  const purchases: PurchaseRow[] = [];
  const seenIds = new Set<string>();
  const seenOrders = new Set<string>();
  let duplicates = 0;

  events.forEach((raw, index) => {
    const parsed = telemetryEvent.safeParse(raw);
    if (!parsed.success) {
      rejected.push(invalid(index, zodFields(parsed.error)));
      return;
    }
    const event = parsed.data;
    const bad = unstorableString(event, 'event');
    if (bad) {
      const path = bad.slice('event.'.length) || '(event)';
      rejected.push(
        invalid(index, [{ path, rule: 'string', message: 'contains a NUL character or an unpaired surrogate' }]),
      );
      return;
    }
    const properties = (event.properties ?? {}) as JsonObject;
    const issues = propertyIssues(properties);
    if (isStandard(event.type)) {
      const typed = standardEventProperties[event.type].safeParse(properties);
      if (!typed.success) issues.push(...zodFields(typed.error, 'properties'));
    }
    const anonymousId = event.anonymousId ?? options.anonymousId;
    if (session) {
      if (event.conversationId !== undefined && event.conversationId.toLowerCase() !== session.conversationId) {
        issues.push({
          path: 'conversationId',
          rule: 'session',
          message: "must be the session's conversation (or left out)",
        });
      }
    } else {
      if (anonymousId === undefined) {
        issues.push({
          path: 'anonymousId',
          rule: 'required',
          message: 'is required for events sent with a public key (no session)',
        });
      }
      if (event.conversationId !== undefined) {
        issues.push({
          path: 'conversationId',
          rule: 'session',
          message: 'needs the session of that conversation (send the session token)',
        });
      }
    }
    if (event.publicKey !== undefined && event.publicKey !== key.key) {
      issues.push({ path: 'publicKey', rule: 'credential', message: "is not the request's widget key" });
    }
    const occurredAt = event.occurredAt === undefined ? new Date(now) : new Date(event.occurredAt);
    if (occurredAt.getTime() > now + MAX_FUTURE_SKEW_MS) {
      issues.push({ path: 'occurredAt', rule: 'max', message: 'is more than 24 hours in the future' });
    }
    let purchase: { minor: number; orderId: string; currency: string } | undefined;
    if (event.type === 'purchase' && issues.length === 0) {
      const p = properties as { orderId: string; amount: unknown; currency: string };
      const money = toMinorUnits(p.amount, p.currency);
      if (money.ok) purchase = { minor: money.minor, orderId: p.orderId, currency: p.currency };
      else issues.push({ path: `properties.${money.rule}`, rule: 'format', message: money.message });
    }
    if (issues.length > 0) {
      rejected.push(invalid(index, issues));
      return;
    }
    if (event.clientEventId !== undefined) {
      if (seenIds.has(event.clientEventId)) {
        duplicates += 1;
        return;
      }
      seenIds.add(event.clientEventId);
    }
    const row: EventRow = {
      id: newId(),
      type: event.type,
      client_event_id: event.clientEventId ?? null,
      session_id: session?.id ?? null,
      conversation_id: session?.conversationId ?? null,
      anonymous_id: anonymousId ?? null,
      page_type: typeof properties.pageType === 'string' ? properties.pageType : null,
      properties,
      occurred_at: occurredAt,
    };
    rows.push(row);
    // One conversion per order: a second purchase of an order in the same batch is stored as an event only.
    if (purchase && !seenOrders.has(purchase.orderId)) {
      seenOrders.add(purchase.orderId);
      purchases.push({
        id: newId(),
        event_id: row.id,
        order_id: purchase.orderId,
        amount_minor: purchase.minor,
        currency: purchase.currency,
        customer_id: session?.customerId ?? null,
      });
    }
  });

  const answer = (inserted: number): IngestResult => ({
    accepted: inserted,
    duplicates: duplicates + (rows.length - inserted),
    rejected,
  });
  if (rows.length === 0) return answer(0);
  const receipt = options.receipt;
  const write = async (db: typeof ctx.kysely) => {
    const stored = await insertEvents(db, tenantId, key.id, rows, purchases);
    const result = answer(stored.inserted.size);
    if (receipt) await receipt.write(db, options.status ?? 200, result as unknown as Json);
    if (stored.conversions.length > 0) await clientConversionsCreated(db, ctx.webhooks, tenantId, stored.conversions);
    if (stored.hits.length > 0) {
      await goalReached(
        db,
        ctx.webhooks,
        stored.hits.map((h) => ({
          tenantId,
          goal: h.goal,
          goalId: h.goalId,
          conversationId: h.conversationId,
          eventId: h.eventId,
        })),
      );
    }
    return result;
  };
  // The common case is one autocommit statement; an Idempotency-Key's record, or the outbox rows of goal.reached
  // webhooks, commit with it in one transaction.
  const atomic = receipt !== undefined || ctx.webhooks.wantsAny(tenantId, ['goal.reached', 'conversion.created']);
  return atomic ? ctx.kysely.transaction().execute(write) : write(ctx.kysely);
}
