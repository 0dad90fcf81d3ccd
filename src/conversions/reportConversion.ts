import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { newId } from '../db/newId.js';
import type { Conversion, Database } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import {
  type Attribution,
  attributeToConversation,
  attributeToCustomer,
  upsertServerConversion,
} from './conversionStore.js';
import { formatMinorUnits, toMinorUnits } from './money.js';

export interface ReportConversionInput {
  orderId: string;
  /** Major units: a decimal string ("19.99") or a number. */
  amount: string | number;
  currency: string;
  /** Exactly one of customerId (attributed within the tenant's window) and conversationId (attributed to it). */
  customerId?: string;
  conversationId?: string;
  /** Default: now. */
  occurredAt?: string | Date;
  metadata?: JsonObject;
}

/** A conversion as the Engine API answers it. */
export interface ConversionView {
  id: string;
  orderId: string;
  amount: string;
  amountMinor: number;
  currency: string;
  source: 'client' | 'server';
  verified: boolean;
  customerId: string | null;
  conversationId: string | null;
  flowId: string | null;
  intentName: string | null;
  metadata: JsonObject;
  occurredAt: string;
  createdAt: string;
}

export interface ReportConversionResult {
  conversion: ConversionView;
  /** False when the server had already reported this order: the first result is returned unchanged. */
  created: boolean;
  /** True when it replaced the order's unverified client purchase. */
  replacedClient: boolean;
}

const ORDER_ID = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]{1,128}$/u;
const MAX_METADATA_BYTES = 4096;

export function conversionView(c: Conversion): ConversionView {
  return {
    id: c.id,
    orderId: c.order_id,
    amount: formatMinorUnits(Number(c.amount_minor), c.currency),
    amountMinor: Number(c.amount_minor),
    currency: c.currency,
    source: c.source,
    verified: c.verified,
    customerId: c.customer_id,
    conversationId: c.conversation_id,
    flowId: c.flow_id,
    intentName: c.intent_name,
    metadata: c.metadata,
    occurredAt: new Date(c.occurred_at).toISOString(),
    createdAt: new Date(c.created_at).toISOString(),
  };
}

/**
 * A conversion reported by the tenant's backend (the Engine API's `POST /conversions` calls this; source `server`,
 * verified). Idempotent on (tenant, orderId): a repeated report returns the first server result; an unverified client
 * `purchase` of the same order is replaced by it. Attributed to the given conversation, or to the customer's most
 * recent conversation within the tenant's attribution window (none: unattributed).
 */
export async function reportConversion(
  ctx: AppContext,
  tenantId: string,
  input: ReportConversionInput,
): Promise<ReportConversionResult> {
  const issues: FieldIssue[] = [];
  if (typeof input.orderId !== 'string' || !ORDER_ID.test(input.orderId)) {
    issues.push({ path: 'orderId', rule: 'format', message: 'must be 1–128 printable characters' });
  }
  const money = toMinorUnits(input.amount, input.currency);
  if (!money.ok) issues.push({ path: money.rule, rule: 'format', message: money.message });
  const hasCustomer = input.customerId !== undefined;
  const hasConversation = input.conversationId !== undefined;
  if (hasCustomer === hasConversation) {
    issues.push({ path: 'customerId', rule: 'one_of', message: 'give exactly one of customerId and conversationId' });
  } else if (hasCustomer && (typeof input.customerId !== 'string' || !ORDER_ID.test(input.customerId))) {
    issues.push({ path: 'customerId', rule: 'format', message: 'must be 1–128 printable characters' });
  } else if (hasConversation && (typeof input.conversationId !== 'string' || !isUuid(input.conversationId))) {
    issues.push({ path: 'conversationId', rule: 'format', message: 'must be a UUID' });
  }
  const occurredAt = input.occurredAt === undefined ? new Date() : new Date(input.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) {
    issues.push({ path: 'occurredAt', rule: 'format', message: 'must be an RFC 3339 date-time' });
  }
  const metadata = input.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    issues.push({ path: 'metadata', rule: 'type', message: 'must be a JSON object' });
  } else if (Buffer.byteLength(JSON.stringify(metadata), 'utf8') > MAX_METADATA_BYTES) {
    issues.push({ path: 'metadata', rule: 'max_bytes', message: `at most ${MAX_METADATA_BYTES} bytes as JSON` });
  }
  if (issues.length > 0 || !money.ok) throw AppError.validation(issues, 'The conversion is not valid.');

  let attribution: Attribution;
  if (input.conversationId !== undefined) {
    const found = await attributeToConversation(ctx.kysely, tenantId, input.conversationId.toLowerCase());
    // Another tenant's conversation behaves exactly like one that does not exist.
    if (!found) throw new AppError('not_found', 'No such conversation.');
    attribution = found;
  } else {
    attribution = await attributeToCustomer(ctx.kysely, tenantId, input.customerId!, occurredAt);
  }
  const write = async (db: Kysely<Database>) => {
    const written = await upsertServerConversion(db, {
      id: newId(),
      tenant_id: tenantId,
      order_id: input.orderId,
      amount_minor: money.minor,
      currency: input.currency,
      metadata,
      occurred_at: occurredAt,
      ...attribution,
    });
    // The `conversion.created` webhook (DESIGN §11), in the same transaction; a repeated report creates nothing.
    if (written.created) {
      const view = conversionView(written.conversion);
      const { id: conversionId, ...rest } = view;
      await emitWebhookEvent(db, ctx.webhooks, {
        tenantId,
        type: 'conversion.created',
        occurredAt: new Date(view.createdAt),
        data: { conversionId, ...rest, replacedClient: written.replacedClient },
      });
    }
    return written;
  };
  // One autocommit statement unless the tenant listens for conversions.
  const { conversion, created, replacedClient } =
    ctx.webhooks.endpointsFor(tenantId, 'conversion.created').length > 0
      ? await ctx.kysely.transaction().execute(write)
      : await write(ctx.kysely);
  return { conversion: conversionView(conversion), created, replacedClient };
}
