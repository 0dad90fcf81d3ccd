import { z } from 'zod';
import { blockSchema } from '../engine/blocks.js';
import { fieldSchema } from '../fields/fieldSchema.js';

// Wire schemas of the public chat API: the routes parse with them, /api/openapi.json is generated from them.

const printable = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u;
const variables = z
  .record(z.string(), z.unknown())
  .describe(
    'Conversation variables: snake_case top-level keys, ≤ 50 keys, ≤ 4,096 bytes as compact JSON, nesting depth ≤ 4. Untrusted.',
  );

export const openSessionRequest = z.object({
  publicKey: z.string().describe('The public widget key, pk_live_…'),
  customerId: z
    .string()
    .min(1)
    .max(128)
    .regex(printable, 'must be printable characters')
    .describe('Your id for the visitor, 1–128 printable characters.'),
  conversationId: z.uuid().optional().describe('Continue this earlier conversation (needs conversationToken).'),
  conversationToken: z
    .string()
    .max(256)
    .optional()
    .describe('The conversationToken returned when the conversation was opened.'),
  variables: variables.optional(),
  locale: z
    .string()
    .max(35)
    .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag')
    .optional(),
});

export const intentSchema = z.object({
  name: z.string(),
  description: z.string(),
  examples: z.array(z.string()),
  required_entities: z.array(z.string()),
});

export const openSessionResponse = z.object({
  sessionToken: z.string().describe('Signed session token (starts with eyJ0aWQi). Send as Authorization: Bearer.'),
  conversationId: z.uuid(),
  conversationToken: z.string().describe('Keep it to continue this conversation from a later session.'),
  expiresAt: z.string().describe('RFC 3339 UTC, to the second.'),
  widget: z.object({ label: z.string() }),
  intents: z.array(intentSchema),
});

export const messageRequest = z.object({
  text: z.string().max(4000).optional(),
  intentName: z.string().max(64).optional().describe('Trigger: the intent to start. Not with waitToken.'),
  waitToken: z
    .string()
    .max(256)
    .optional()
    .describe('Resume: the waitToken of the waiting execution. Not with intentName.'),
  executionId: z.uuid().optional().describe('Resume: the waiting execution.'),
  values: z.record(z.string(), z.unknown()).optional().describe('Resume: the form values.'),
  variables: variables.optional(),
  supersede: z
    .boolean()
    .optional()
    .describe('Trigger: abort a waiting_time execution of this conversation instead of answering 409.'),
});

export const tokenUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  model: z.string(),
  cost_micros: z.number().int(),
  cost_usd: z.number(),
});

export const waitSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), fields: z.array(fieldSchema), expiresAt: z.string().nullable() }),
  z.object({ type: z.literal('time'), pollAfterMs: z.number().int(), resumeAt: z.string().optional() }),
]);

export const executionStatusSchema = z.enum([
  'running',
  'waiting_input',
  'waiting_time',
  'completed',
  'failed',
  'aborted',
]);

const executionErrorSchema = z.object({ code: z.string(), message: z.string() });

export const chatTurnResponse = z.object({
  executionId: z.uuid(),
  conversationId: z.uuid(),
  status: executionStatusSchema,
  blocks: z.array(blockSchema),
  waitToken: z.string().optional(),
  wait: waitSchema.optional(),
  tokenUsage: tokenUsageSchema.optional(),
  error: executionErrorSchema.optional(),
  reason: z.string().optional(),
  cursor: z.string().describe('Opaque; pass as ?after= when polling.'),
});

export const pollQuery = z.object({
  after: z.string().max(128).optional(),
  waitSeconds: z.coerce.number().int().min(0).max(25).optional(),
});

export const executionPollResponse = chatTurnResponse.omit({ conversationId: true });

export const historyQuery = z.object({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const historyItem = z.object({
  id: z.string(),
  role: z.enum(['user', 'bot']),
  executionId: z.string().nullable(),
  createdAt: z.string(),
  text: z.string().optional(),
  intentName: z.string().optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  block: blockSchema.optional(),
  tokenUsage: tokenUsageSchema
    .optional()
    .describe('On the last block of a turn in which an LLM ran: the turn’s token usage.'),
});

export const historyResponse = z.object({
  conversationId: z.uuid(),
  items: z.array(historyItem),
  nextCursor: z.string().nullable(),
  pending: z
    .object({
      executionId: z.uuid(),
      status: executionStatusSchema,
      waitToken: z.string().optional(),
      wait: waitSchema.optional(),
    })
    .optional(),
});

export const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    status: z.number().int(),
    retryable: z.boolean(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
});

export type OpenSessionRequest = z.infer<typeof openSessionRequest>;
export type OpenSessionResponse = z.infer<typeof openSessionResponse>;
export type MessageRequest = z.infer<typeof messageRequest>;
export type ChatTurnResponse = z.infer<typeof chatTurnResponse>;
export type ExecutionPollResponse = z.infer<typeof executionPollResponse>;
export type HistoryResponse = z.infer<typeof historyResponse>;
export type WaitWire = z.infer<typeof waitSchema>;
