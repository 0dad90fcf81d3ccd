import { z } from 'zod';

// Wire schemas of client telemetry (DESIGN §10). Each event is validated on its own, so one bad event of a batch is
// reported by its index and never drops the others; the batch envelope itself is checked first.

export const MAX_BATCH_EVENTS = 50;
export const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_PROPERTY_KEYS = 50;
export const MAX_PROPERTY_BYTES = 4096;
export const MAX_PROPERTY_DEPTH = 4;
/** How far ahead of the server's clock a client's occurredAt may be (clock skew), before it is refused. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

const printable = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u;
const id = (what: string) => z.string().min(1).max(128).regex(printable, 'must be printable characters').describe(what);
const pageType = z
  .string()
  .min(1)
  .max(64)
  .regex(printable, 'must be printable characters')
  .describe('The kind of page the widget is on (product, cart, checkout, …); an analytics dimension.');
const count = z.number().int().nonnegative();

/** The typed properties of each standard event type. Other properties are kept as sent; pageType is on every type. */
export const standardEventProperties = {
  widget_open: z.looseObject({ pageType: pageType.optional(), url: z.string().max(2048).optional() }),
  widget_close: z.looseObject({ durationMs: count.optional().describe('How long the widget was open.') }),
  message_sent: z.looseObject({
    intentName: z.string().max(64).optional(),
    length: count.optional().describe('Characters typed (not the text: telemetry carries no transcript).'),
  }),
  quick_question_clicked: z.looseObject({
    questionId: id('The quick question clicked.'),
    intentName: z.string().max(64).optional(),
  }),
  block_clicked: z.looseObject({
    blockId: id('The id of the block clicked (as in the chat reply).'),
    executionId: z.uuid().optional(),
    action: z.string().max(128).optional().describe('Which button or link of the block.'),
  }),
  form_viewed: z.looseObject({
    formId: z.string().max(128).optional().describe('A standalone form code or id.'),
    executionId: z.uuid().optional().describe('Or the execution whose form block was shown.'),
  }),
  page_view: z.looseObject({
    pageType: pageType.optional(),
    url: z.string().max(2048).optional(),
    title: z.string().max(512).optional(),
  }),
  add_to_cart: z.looseObject({
    productId: id('The product (SKU) added.'),
    quantity: z.number().int().positive().optional(),
    price: z.union([z.string(), z.number()]).optional().describe('Unit price in major units.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. EUR')
      .optional(),
  }),
  purchase: z.looseObject({
    orderId: id('Your order id: one conversion per order, whoever reports it.'),
    amount: z
      .union([z.string(), z.number()])
      .describe('The order total in major units, a decimal string ("19.99") or a number; stored exactly.'),
    currency: z.string().describe('ISO 4217 code, e.g. EUR (its exponent decides the decimals: JPY 0, KWD 3).'),
  }),
} as const;

export type StandardEventType = keyof typeof standardEventProperties;
export const STANDARD_EVENT_TYPES = Object.keys(standardEventProperties) as StandardEventType[];

export const telemetryEvent = z.strictObject({
  type: z
    .string()
    .regex(EVENT_TYPE, 'must be snake_case: ^[a-z][a-z0-9_]{0,63}$')
    .describe(
      `A standard type (${STANDARD_EVENT_TYPES.join(', ')}) with typed properties, or your own snake_case type.`,
    ),
  occurredAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When it happened on the client (RFC 3339); default: when received.'),
  clientEventId: id(
    'Your id for the event: the same id within a tenant is stored once (retries never double-count).',
  ).optional(),
  conversationId: z
    .uuid()
    .optional()
    .describe("With a session: must be the session's conversation (events are attributed to it anyway)."),
  properties: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('≤ 50 keys, ≤ 4,096 bytes as compact JSON, nesting depth ≤ 4. `pageType` is recorded for analytics.'),
  publicKey: z.string().optional().describe('Without a session: the public widget key (or ?publicKey= / header).'),
  anonymousId: id(
    'Without a session: your id for the visitor (required then); with one, links earlier events.',
  ).optional(),
});

export const telemetryBatch = z.strictObject({
  events: z.array(telemetryEvent).min(1).max(MAX_BATCH_EVENTS).describe('1–50 events.'),
  publicKey: z.string().optional().describe('Without a session: the public widget key.'),
  anonymousId: id('Without a session: the visitor id for events that carry none.').optional(),
});

export const ingestResult = z.object({
  accepted: z.number().int().describe('Events stored now.'),
  duplicates: z.number().int().describe('Events whose clientEventId was already stored (not stored again).'),
  rejected: z
    .array(
      z.object({
        index: z.number().int().describe('Position of the event in the request (0 for the single endpoint).'),
        error: z.object({
          code: z.string(),
          message: z.string(),
          details: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .describe('Events not stored, each with its index and an error in the §12 shape (without status/requestId).'),
});
export type IngestResult = z.infer<typeof ingestResult>;
