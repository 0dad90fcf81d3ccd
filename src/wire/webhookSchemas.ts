import { z } from 'zod';
import { executionStatusSchema, tokenUsageSchema } from './chatSchemas.js';

// Wire schemas of the webhook payloads (DESIGN §11). Every delivery's body is `{type, timestamp, data}` (the Standard
// Webhooks envelope); `data` has one schema per event type, converted to JSON Schema for docs/webhooks.md
// (`npm run docs:webhooks`; a test checks the page is current). Timestamps are RFC 3339 UTC with milliseconds.

const at = z.string().describe('RFC 3339 UTC timestamp.');
const executionError = z.object({ code: z.string(), message: z.string() });

export const sessionCreatedData = z.object({
  sessionId: z.uuid(),
  conversationId: z.uuid(),
  customerId: z.string(),
  widgetKeyId: z.uuid(),
  locale: z.string().nullable(),
  origin: z.string().nullable().describe("The widget page's Origin header, or null for server-side opens."),
  resumed: z.boolean().describe('True when the session continues an earlier conversation (conversationToken).'),
  createdAt: at,
});

export const executionUpdatedData = z.object({
  executionId: z.uuid(),
  conversationId: z.uuid(),
  customerId: z.string(),
  intentName: z.string(),
  status: executionStatusSchema,
  previousStatus: executionStatusSchema.nullable().describe('null for the first event of a new execution.'),
  version: z
    .number()
    .int()
    .describe("The execution's version after this change: grows by one per change; order a receiver's events by it."),
  cause: z
    .enum(['trigger', 'resume', 'job', 'sweep', 'supersede', 'abort'])
    .describe(
      'What made the change: a new execution (trigger), a form resume, a worker finishing async work (job), the sweeper (expired wait, lost job), a newer trigger superseding it, an Engine API abort.',
    ),
  error: executionError.nullable(),
  reason: z.string().nullable(),
  tokenUsage: tokenUsageSchema
    .nullable()
    .describe('The LLM tokens of this turn when an `llm` node ran in it; null otherwise.'),
  updatedAt: at,
});

export const executionCompletedData = z.object({
  executionId: z.uuid(),
  conversationId: z.uuid(),
  customerId: z.string(),
  intentName: z.string(),
  version: z.number().int(),
  completedAt: at,
});

export const handoffRequestedData = z.object({
  executionId: z.uuid(),
  conversationId: z.uuid(),
  customerId: z.string(),
  intentName: z.string(),
  nodeId: z.string(),
  queue: z.string().nullable().describe("The `handoff` node's queue, or null."),
  message: z.string().nullable().describe('The message shown to the visitor in the `handoff` block, or null.'),
  requestedAt: at,
});

export const formSubmissionCreatedData = z.object({
  submissionId: z.uuid(),
  formId: z.uuid(),
  formCode: z.string(),
  formVersion: z.number().int(),
  values: z
    .record(z.string(), z.unknown())
    .describe('The submitted values, validated against the form; file fields hold fileRef ids. Untrusted input.'),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  publicKeyId: z.uuid().nullable(),
  createdAt: at,
});

export const conversionCreatedData = z.object({
  conversionId: z.uuid(),
  orderId: z.string(),
  amount: z.string().describe('Decimal string in major units.'),
  amountMinor: z.number().int(),
  currency: z.string().describe('ISO 4217.'),
  source: z.enum(['client', 'server']),
  verified: z.boolean(),
  replacedClient: z.boolean().describe("True when it replaced the order's unverified client purchase."),
  customerId: z.string().nullable(),
  conversationId: z.uuid().nullable(),
  flowId: z.uuid().nullable(),
  intentName: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).describe('As reported with the conversion.'),
  occurredAt: at,
  createdAt: at,
});

export const goalReachedData = z.object({
  goal: z.string().describe("The goal's key."),
  goalId: z.uuid().nullable().describe('The defined goal, or null when a flow reached a key nobody defined yet.'),
  conversationId: z.uuid().nullable(),
  executionId: z.uuid().nullable().describe('Set when a `goal` node reached it.'),
  nodeId: z.string().nullable(),
  eventId: z.uuid().nullable().describe('Set when a telemetry event reached it.'),
  reachedAt: at,
});

export const reportReadyData = z.object({
  reportId: z.uuid(),
  runId: z.uuid(),
  name: z.string(),
  format: z.enum(['json', 'csv']),
  rowCount: z.number().int(),
  url: z
    .string()
    .nullable()
    .describe(
      'A signed link to the run in `format`: needs no credential, works until `expiresAt`, refused when altered.',
    ),
  expiresAt: at.nullable().describe('When `url` stops working.'),
  scheduledFor: at.nullable().describe('The cron time of a scheduled run.'),
  completedAt: at,
});

/** Every event type a tenant may subscribe to, with the schema of its `data`. */
export const webhookEventSchemas = {
  'chat.session.created': sessionCreatedData,
  'chat.execution.updated': executionUpdatedData,
  'chat.execution.completed': executionCompletedData,
  'chat.handoff.requested': handoffRequestedData,
  'form.submission.created': formSubmissionCreatedData,
  'conversion.created': conversionCreatedData,
  'goal.reached': goalReachedData,
  'report.ready': reportReadyData,
} as const;

export type WebhookTokenUsage = z.infer<typeof tokenUsageSchema>;
export type WebhookEventType = keyof typeof webhookEventSchemas;
export const WEBHOOK_EVENT_TYPES = Object.keys(webhookEventSchemas) as WebhookEventType[];
export type WebhookEventData<T extends WebhookEventType> = z.input<(typeof webhookEventSchemas)[T]>;

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(webhookEventSchemas, value);
}

/** The body of every delivery. */
export function webhookEnvelopeSchema<T extends WebhookEventType>(type: T) {
  return z.object({ type: z.literal(type), timestamp: at, data: webhookEventSchemas[type] });
}
