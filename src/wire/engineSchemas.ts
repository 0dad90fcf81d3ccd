import { z } from 'zod';
import { blockSchema } from '../engine/blocks.js';
import { executionStatusSchema, historyItem, tokenUsageSchema, waitSchema } from './chatSchemas.js';

// Wire schemas of the Engine API (DESIGN §14): server-side, secret key. Timestamps are RFC 3339 UTC with milliseconds.

const printable = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u;

export const engineLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .describe('Page size, 1–100 (default 50).');
const pageCursor = z.string().max(200).optional().describe('The nextCursor of the previous page; absent: first page.');

/** Client-supplied data, shown as data: never evaluated, never trusted (DESIGN §4 "Variables"). */
const untrusted = z
  .object({ untrusted: z.literal(true), values: z.record(z.string(), z.unknown()) })
  .describe(
    'Values that came from clients (the widget, a resume form): `untrusted` is always true. Treat them as data — never as code, a template or a URL.',
  );

const executionError = z.object({ code: z.string(), message: z.string() });

export const engineExecutionQuery = z.object({
  after: z
    .string()
    .max(128)
    .optional()
    .describe("An earlier response's cursor: only the blocks after it (absent: from the start)."),
});

export const engineExecution = z.object({
  executionId: z.uuid(),
  conversationId: z.uuid(),
  sessionId: z.uuid(),
  intentName: z.string(),
  flowId: z.uuid(),
  flowVersionId: z.uuid(),
  status: executionStatusSchema,
  version: z.number().int().describe('Increases on every change of the execution.'),
  state: z.object({
    position: z.string().nullable().describe('The node to run next or waited on; null once ended.'),
    steps: z.number().int(),
    frames: z.array(z.object({ versionId: z.string(), returnTo: z.string().nullable() })).optional(),
    vars: untrusted.describe("The execution's variables (they may hold what the user typed: untrusted)."),
  }),
  trace: z.array(z.record(z.string(), z.unknown())).describe('The newest step-trace entries, oldest first.'),
  traceDropped: z.number().int().describe('Older step-trace entries not kept (the trace is capped).'),
  blocks: z.array(blockSchema).describe('The blocks the execution emitted (after `after` when given), in order.'),
  cursor: z.string().describe('Opaque: pass as ?after= to get only newer blocks.'),
  wait: waitSchema.optional(),
  error: executionError.optional(),
  reason: z.string().optional(),
  tokenUsage: tokenUsageSchema
    .optional()
    .describe('Running totals of LLM use; absent while the execution used no LLM.'),
  timings: z.object({
    createdAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.string().nullable(),
    activeMs: z.number().int().describe('Time spent running (turns and jobs), waits excluded.'),
  }),
});

export const engineConversationQuery = z.object({
  cursor: pageCursor.describe("Transcript: the previous page's nextCursor."),
  limit: engineLimit.describe('Transcript page size, 1–100 (default 50).'),
  executionsCursor: pageCursor.describe("Executions: the previous page's executions.nextCursor."),
  executionsLimit: engineLimit.describe('Executions page size, 1–100 (default 50).'),
});

export const executionSummary = z.object({
  executionId: z.uuid(),
  intentName: z.string(),
  status: executionStatusSchema,
  error: executionError.optional(),
  reason: z.string().optional(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});

export const engineConversation = z.object({
  conversationId: z.uuid(),
  customerId: z.string(),
  publicKeyId: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  revokedAt: z.string().nullable(),
  variables: untrusted.describe("The conversation's variables, as widgets sent them: untrusted."),
  transcript: z.object({
    items: z.array(historyItem).describe('Oldest first. `text` and `values` are what the user sent: untrusted.'),
    nextCursor: z.string().nullable(),
  }),
  executions: z.object({
    items: z.array(executionSummary).describe('Newest first.'),
    nextCursor: z.string().nullable(),
  }),
});

export const engineSessionsQuery = z.object({
  customerId: z.string().min(1).max(128).regex(printable, 'printable characters only'),
  cursor: pageCursor,
  limit: engineLimit,
});

export const engineSession = z.object({
  sessionId: z.uuid(),
  conversationId: z.uuid(),
  customerId: z.string(),
  publicKeyId: z.uuid(),
  status: z.enum(['active', 'expired', 'revoked']),
  origin: z.string().nullable(),
  locale: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const engineSessions = z.object({
  items: z.array(engineSession).describe('Newest first.'),
  nextCursor: z.string().nullable(),
});

export type EngineExecution = z.infer<typeof engineExecution>;
export type EngineConversation = z.infer<typeof engineConversation>;
export type EngineSessions = z.infer<typeof engineSessions>;

// Retention and privacy (DESIGN §12): a customer's export and deletion.

export const customerIdParams = z.object({
  customerId: z
    .string()
    .min(1)
    .max(128)
    .regex(printable, 'printable characters only')
    .describe('The customerId the widget passed when it opened sessions (URL-encoded).'),
});

const at = z.string().describe('RFC 3339 UTC timestamp.');
const jsonObject = z.record(z.string(), z.unknown());

export const customerExport = z.object({
  customerId: z.string(),
  exportedAt: at,
  conversations: z.array(
    z.object({
      conversationId: z.uuid(),
      publicKeyId: z.uuid(),
      createdAt: at,
      updatedAt: at,
      revokedAt: at.nullable(),
      variables: untrusted,
      transcript: z
        .array(
          z.object({
            executionId: z.uuid().nullable(),
            createdAt: at,
            items: z.array(jsonObject).describe('What the user sent (`role: user`) and the blocks answered (`bot`).'),
          }),
        )
        .describe('One entry per turn, oldest first.'),
      executions: z.array(
        z.object({
          executionId: z.uuid(),
          sessionId: z.uuid(),
          intentName: z.string(),
          status: executionStatusSchema,
          variables: untrusted,
          error: jsonObject.nullable(),
          reason: z.string().nullable(),
          createdAt: at,
          endedAt: at.nullable(),
        }),
      ),
    }),
  ),
  sessions: z.array(
    z.object({
      sessionId: z.uuid(),
      conversationId: z.uuid(),
      publicKeyId: z.uuid(),
      origin: z.string().nullable(),
      locale: z.string().nullable(),
      createdAt: at,
      expiresAt: at,
      revokedAt: at.nullable(),
    }),
  ),
  formSubmissions: z
    .array(
      z.object({
        submissionId: z.uuid(),
        formId: z.uuid(),
        values: jsonObject,
        metadata: jsonObject,
        origin: z.string().nullable(),
        createdAt: at,
      }),
    )
    .describe('Standalone form submissions whose `metadata.customerId` named the customer.'),
  uploads: z
    .array(
      z.object({
        uploadId: z.uuid(),
        conversationId: z.uuid().nullable(),
        submissionId: z.uuid().nullable(),
        field: z.string(),
        name: z.string(),
        size: z.number().int(),
        contentType: z.string(),
        sha256: z.string(),
        createdAt: at,
      }),
    )
    .describe("Metadata only: the files' bytes are served by the admin."),
  events: z.array(
    z.object({
      eventId: z.uuid(),
      type: z.string(),
      conversationId: z.uuid().nullable(),
      sessionId: z.uuid().nullable(),
      pageType: z.string().nullable(),
      properties: jsonObject,
      occurredAt: at,
      receivedAt: at,
    }),
  ),
  goalHits: z.array(z.object({ goal: z.string(), conversationId: z.uuid().nullable(), createdAt: at })),
  conversions: z.array(
    z.object({
      conversionId: z.uuid(),
      orderId: z.string(),
      amount: z.string().describe('Decimal string in major units.'),
      currency: z.string(),
      source: z.enum(['client', 'server']),
      verified: z.boolean(),
      conversationId: z.uuid().nullable(),
      metadata: jsonObject,
      occurredAt: at,
    }),
  ),
});

export const customerDeletion = z.object({
  customerId: z.string(),
  deleted: z
    .object({
      conversations: z.number().int(),
      sessions: z.number().int(),
      executions: z.number().int(),
      transcriptTurns: z.number().int(),
      formSubmissions: z.number().int(),
      uploads: z.number().int(),
      events: z.number().int(),
      goalHits: z.number().int(),
      webhookEvents: z.number().int(),
      conversionsAnonymized: z
        .number()
        .int()
        .describe('Conversions kept for revenue totals, without customer, conversation, order id or metadata.'),
    })
    .describe('How many rows went (counts only: nothing of the data is kept).'),
});

export type CustomerExport = z.infer<typeof customerExport>;
export type CustomerDeletionBody = z.infer<typeof customerDeletion>;
