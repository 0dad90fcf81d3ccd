import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';
import type { JobHandler } from '../jobs/JobQueue.js';
import { OutboundError } from '../outbound/OutboundError.js';
import { describeUrl } from '../outbound/requestUrl.js';
import type { LookupAll } from '../outbound/ssrfGuard.js';
import { resolveAndCheck } from '../outbound/ssrfGuard.js';
import { sendHop } from '../outbound/transport.js';
import {
  type DeliverPayload,
  deliverJobKey,
  WEBHOOK_DELIVER_TASK,
  WEBHOOK_JOB_MAX_ATTEMPTS,
} from './emitWebhookEvent.js';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './retrySchedule.js';
import { openWebhookSecret } from './webhookSecret.js';

export interface DeliveryOptions {
  /** The clock of schedules, leases, signatures and the log (tests inject one; default: the wall clock). */
  now?: () => Date;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Whole exchange: DNS, connect, response (default 10 s). */
  timeoutMs?: number;
  lookup?: LookupAll;
  /** Told when an endpoint is auto-disabled. */
  log?: (message: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const EXCERPT_CHARS = 500;
export const DISABLED_NOTE = 'webhook.disabled';

interface Outcome {
  ok: boolean;
  status: number | null;
  excerpt: string | null;
  error: string | null;
  latencyMs: number;
}

/**
 * The `webhook.deliver` job: one attempt of one delivery. The attempt is claimed first — conditional on the delivery
 * still being pending at the attempt before (or its earlier claim's lease having lapsed) — so a job picked up twice,
 * or a stale one, sends nothing. The URL passes the SSRF guard again (DNS may have changed since it was saved), the
 * request is signed per Standard Webhooks and sent once, without following redirects; then the outcome, the log row
 * and (on failure) the next attempt's job are written in one transaction conditional on the claim. After the last
 * attempt fails, an endpoint with no success since the delivery began is disabled, with a `webhook.disabled` note.
 */
export function deliverWebhook(ctx: AppContext, options: DeliveryOptions = {}): JobHandler {
  const clock = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (raw) => {
    const job = raw as unknown as DeliverPayload;
    const now = clock();
    const claimed = await ctx.kysely
      .updateTable('webhook_deliveries')
      .set({
        status: 'sending',
        attempts: job.attempt,
        locked_until: new Date(now.getTime() + timeoutMs + 30_000),
        updated_at: now,
      })
      .where('id', '=', job.deliveryId)
      .where('tenant_id', '=', job.tenantId)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('attempts', '=', job.attempt - 1)]),
          eb.and([eb('status', '=', 'sending'), eb('attempts', '=', job.attempt), eb('locked_until', '<', now)]),
        ]),
      )
      .returning(['id', 'endpoint_id', 'event_id', 'next_attempt_at', 'created_at'])
      .executeTakeFirst();
    if (!claimed) return;

    const target = await ctx.kysely
      .selectFrom('webhook_endpoints as w')
      .innerJoin('webhook_events as e', (join) => join.on('e.id', '=', claimed.event_id))
      .select(['w.url', 'w.enabled', 'w.secret_ciphertext', 'e.payload'])
      .where('w.id', '=', claimed.endpoint_id)
      .where('w.tenant_id', '=', job.tenantId)
      .executeTakeFirst();
    if (!target?.enabled) {
      await finish(ctx.kysely, job, { status: 'cancelled', completed_at: now });
      return;
    }

    const body = JSON.stringify(target.payload);
    const url = new URL(target.url);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Comerix-Webhooks/1',
      'webhook-id': claimed.event_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    };
    // A secret that no longer opens (the master key changed) fails the attempt like any other failure, so the
    // delivery runs its schedule out instead of retrying forever; nothing unsigned is ever sent.
    let secret: string | undefined;
    try {
      secret = openWebhookSecret(ctx.secrets, job.tenantId, claimed.endpoint_id, target.secret_ciphertext);
    } catch {
      secret = undefined;
    }
    const outcome: Outcome = secret
      ? await send(
          ctx,
          url,
          { ...headers, 'webhook-signature': new Webhook(secret).sign(claimed.event_id, now, body) },
          body,
          timeoutMs,
          options,
        )
      : {
          ok: false,
          status: null,
          excerpt: null,
          error: 'the signing secret cannot be decrypted (was COMERIX_MASTER_KEY changed?): not sent',
          latencyMs: 0,
        };

    const request: Json = { method: 'POST', url: describeUrl(url), headers, bodyBytes: Buffer.byteLength(body) };
    const log = {
      tenant_id: job.tenantId,
      delivery_id: job.deliveryId,
      endpoint_id: claimed.endpoint_id,
      kind: 'attempt' as const,
      attempt: job.attempt,
      outcome: outcome.ok ? 'succeeded' : 'failed',
      scheduled_at: claimed.next_attempt_at,
      started_at: now,
      request: json(request),
      response_status: outcome.status,
      response_excerpt: outcome.excerpt,
      latency_ms: Math.round(outcome.latencyMs),
      error: outcome.error,
    };
    const last = job.attempt >= MAX_DELIVERY_ATTEMPTS;
    const next = outcome.ok || last ? null : new Date(now.getTime() + retryDelayMs(job.attempt, options.random));

    let finished = false;
    const disabled = await ctx.kysely.transaction().execute(async (trx) => {
      const done = await finish(trx, job, {
        status: outcome.ok ? 'succeeded' : next ? 'pending' : 'failed',
        last_response_status: outcome.status,
        ...(next ? { next_attempt_at: next } : { completed_at: now }),
      });
      if (!done) return false;
      finished = true;
      await trx
        .insertInto('webhook_attempts')
        .values({ ...log, next_attempt_at: next })
        .execute();
      if (outcome.ok) {
        await trx
          .updateTable('webhook_endpoints')
          .set({ last_success_at: now })
          .where('id', '=', claimed.endpoint_id)
          .execute();
        return false;
      }
      if (next) {
        const payload: DeliverPayload = { ...job, attempt: job.attempt + 1 };
        await ctx.jobs.enqueue(trx, {
          task: WEBHOOK_DELIVER_TASK,
          payload: payload as unknown as Json,
          jobKey: deliverJobKey(job.deliveryId, job.attempt + 1),
          maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
          runAt: next,
        });
        return false;
      }
      // Persistent failure: every attempt of this delivery failed, over about a day, and nothing reached the
      // endpoint since the delivery began.
      const off = await trx
        .updateTable('webhook_endpoints')
        .set({ enabled: false, disabled_reason: 'failing', disabled_at: now, updated_at: now })
        .where('id', '=', claimed.endpoint_id)
        .where('enabled', '=', true)
        .where((eb) => eb.or([eb('last_success_at', 'is', null), eb('last_success_at', '<', claimed.created_at)]))
        .returning('id')
        .executeTakeFirst();
      if (!off) return false;
      await trx
        .insertInto('webhook_attempts')
        .values({
          ...log,
          kind: 'note',
          outcome: DISABLED_NOTE,
          request: null,
          response_status: null,
          response_excerpt: null,
          latency_ms: null,
          error: `endpoint disabled: ${MAX_DELIVERY_ATTEMPTS} attempts failed and nothing succeeded since ${claimed.created_at.toISOString()}`,
          next_attempt_at: null,
        })
        .execute();
      return true;
    });
    // Counted once committed, and only by the attempt whose claim still held (a voided one logged nothing).
    if (finished) ctx.metrics.webhookDelivery(outcome.ok ? 'delivered' : next ? 'retrying' : 'failed');
    if (disabled) {
      options.log?.(`webhook endpoint ${claimed.endpoint_id} disabled after persistent failure`);
      await ctx.webhooks.reload();
      await ctx.events.announce('webhooks');
    }
    if (next) ctx.jobs.wake();
  };
}

/** Ends the claimed attempt, only while the claim still holds (a reclaim after a lapsed lease voids this one). */
async function finish(
  db: Kysely<Database>,
  job: DeliverPayload,
  set: {
    status: 'succeeded' | 'pending' | 'failed' | 'cancelled';
    last_response_status?: number | null;
    next_attempt_at?: Date;
    completed_at?: Date;
  },
): Promise<boolean> {
  const row = await db
    .updateTable('webhook_deliveries')
    .set({ ...set, locked_until: null })
    .where('id', '=', job.deliveryId)
    .where('status', '=', 'sending')
    .where('attempts', '=', job.attempt)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

async function send(
  ctx: AppContext,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  options: DeliveryOptions,
): Promise<Outcome> {
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new OutboundError('timeout', `no answer within ${timeoutMs} ms`, { retryable: true })),
    timeoutMs,
  );
  try {
    const addresses = await resolveAndCheck(url.hostname, {
      allowPrivateNetworks: ctx.config.allowPrivateNetworks,
      signal: abort.signal,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    const response = await sendHop({
      url,
      method: 'POST',
      headers,
      body: Buffer.from(body),
      addresses,
      signal: abort.signal,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      status: response.status,
      excerpt: response.body.length > 0 ? response.body.toString('utf8').slice(0, EXCERPT_CHARS) : null,
      error: ok
        ? null
        : `HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`,
      latencyMs: performance.now() - started,
    };
  } catch (error) {
    const reason = abort.signal.aborted ? abort.signal.reason : error;
    const message =
      reason instanceof OutboundError ? `${reason.code}: ${reason.message}` : (reason as Error).message || 'failed';
    return { ok: false, status: null, excerpt: null, error: message, latencyMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
