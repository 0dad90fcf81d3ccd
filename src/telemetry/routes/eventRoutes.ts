import { CHAT_BASE, idempotencyHeader, originHeader } from '../../chat/routes/sessionRouteErrors.js';
import { AppError } from '../../errors/AppError.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { defineRoute } from '../../http/defineRoute.js';
import { ingestResult, MAX_BATCH_EVENTS, telemetryBatch, telemetryEvent } from '../eventSchemas.js';
import { ingestEvents } from '../ingestEvents.js';

const EVENT_ROUTE_ERRORS: ErrorCode[] = [
  'invalid_request',
  'invalid_session_token',
  'session_expired',
  'invalid_public_key',
  'origin_not_allowed',
  'validation_failed',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'payload_too_large',
  'unsupported_media_type',
];

const credentialHeaders = [
  originHeader,
  idempotencyHeader,
  {
    name: 'X-Comerix-Public-Key',
    description: 'Without a session token: the public widget key (also ?publicKey= or a publicKey body field).',
  },
];

const AUTH_TEXT =
  'Authenticated by the session token (the events belong to its conversation), or — for events before a session, such as `widget_open` — by the public key plus an `anonymousId` (no conversation). Neither → 401.';

/** Anonymous events of one visitor share the key: an Idempotency-Key record is one visitor's. */
const scopeByVisitor = (_auth: unknown, body: unknown) => {
  const anonymousId = (body as { anonymousId?: unknown } | null)?.anonymousId;
  return typeof anonymousId === 'string' ? `anon:${anonymousId}` : undefined;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const sendEventRoute = defineRoute({
  method: 'POST',
  path: `${CHAT_BASE}/events`,
  operationId: 'sendEvent',
  summary: 'Send one telemetry event',
  description: `${AUTH_TEXT} Answers 202 with the batch result shape (\`accepted\` 1, or \`duplicates\` 1 when its clientEventId was already stored). An invalid event is a 422 \`validation_failed\` naming the fields: the request holds nothing else to keep.`,
  tags: ['Telemetry'],
  auth: 'sessionOrPublicKey',
  limits: { rate: ['events_per_credential'] },
  cors: true,
  // Read and validated by the service, event by event: a bad event is 422 (not the pipeline's 400).
  bodyDoc: telemetryEvent,
  headers: credentialHeaders,
  response: { status: 202, description: 'Stored (or already stored)', schema: ingestResult },
  errors: EVENT_ROUTE_ERRORS,
  idempotent: { scope: scopeByVisitor },
  handler: async ({ ctx, auth, request, receipt }) => {
    const body: unknown = request.body;
    if (!isObject(body)) {
      throw AppError.validation([{ path: 'body', rule: 'type', message: 'must be one event object' }]);
    }
    const result = await ingestEvents(ctx, auth, [body], { receipt, status: 202 });
    const [rejection] = result.rejected;
    if (rejection) {
      throw new AppError(
        'validation_failed',
        `The event is not valid: ${rejection.error.message}`,
        rejection.error.details,
      );
    }
    return { status: 202, body: result };
  },
});

export const sendEventBatchRoute = defineRoute({
  method: 'POST',
  path: `${CHAT_BASE}/events/batch`,
  operationId: 'sendEventBatch',
  summary: 'Send up to 50 telemetry events',
  description: `${AUTH_TEXT} Answers 200 \`{accepted, duplicates, rejected:[{index, error}]}\` even when every event is rejected: one bad event never drops the others. 422 only when the body is not \`{events:[…]}\` with 1–${MAX_BATCH_EVENTS} events. A retried batch never double-counts: events with a clientEventId already stored are duplicates.`,
  tags: ['Telemetry'],
  auth: 'sessionOrPublicKey',
  cors: true,
  bodyDoc: telemetryBatch,
  // 50 events of up to 4 KB of properties each.
  limits: { rate: ['events_per_credential'], bodyBytes: 256 * 1024 },
  headers: credentialHeaders,
  response: { status: 200, description: 'Per-event result', schema: ingestResult },
  errors: EVENT_ROUTE_ERRORS,
  idempotent: { scope: scopeByVisitor },
  handler: async ({ ctx, auth, request, receipt }) => {
    const body: unknown = request.body;
    const events = isObject(body) ? body.events : undefined;
    if (!isObject(body) || !Array.isArray(events)) {
      throw AppError.validation([{ path: 'events', rule: 'type', message: 'the body must be {"events": [ … ]}' }]);
    }
    const extra = Object.keys(body).filter((k) => k !== 'events' && k !== 'publicKey' && k !== 'anonymousId');
    if (extra.length > 0) {
      throw AppError.validation(
        extra.map((k) => ({ path: k, rule: 'unrecognized_keys', message: 'is not a member of a batch' })),
      );
    }
    if (events.length < 1 || events.length > MAX_BATCH_EVENTS) {
      throw AppError.validation(
        [
          {
            path: 'events',
            rule: events.length < 1 ? 'min_items' : 'max_items',
            message: `must hold 1–${MAX_BATCH_EVENTS} events (got ${events.length})`,
          },
        ],
        `A batch holds 1–${MAX_BATCH_EVENTS} events.`,
      );
    }
    const anonymousId = body.anonymousId;
    if (
      anonymousId !== undefined &&
      (typeof anonymousId !== 'string' || anonymousId.length < 1 || anonymousId.length > 128)
    ) {
      throw AppError.validation([
        { path: 'anonymousId', rule: 'type', message: 'must be a string of 1–128 characters' },
      ]);
    }
    return {
      status: 200,
      body: await ingestEvents(ctx, auth, events, { anonymousId, receipt, status: 200 }),
    };
  },
});
