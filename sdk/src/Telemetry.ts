import { ComerixError } from './ComerixError.js';
import { randomId, type Transport } from './transport.js';
import type { TelemetryEvent, TelemetryResult } from './types.js';

const MAX_BATCH = 50;

export interface TelemetryOptions {
  /** How long an event may wait for more before the batch is sent. Default 5 s. */
  flushIntervalMs?: number;
  /** Failed sends (after the transport's retries) are reported here; the events stay queued for the next flush. */
  onError?: (error: ComerixError | unknown) => void;
}

type Credentials = { sessionToken: string } | { anonymousId: string };

/** The part of `window` the page-hide flush needs (structural, so the SDK's types do not require the DOM lib). */
export interface PageEvents {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Batches telemetry events (≤ 50 a request). Every event gets a `clientEventId` when queued, so a batch sent twice
 * (a retry after a lost answer, a flush on page hide racing the timer) is counted once by the server.
 */
export class Telemetry {
  private queue: TelemetryEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<TelemetryResult | undefined> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: () => Credentials,
    private readonly options: TelemetryOptions = {},
    /** Renews the session whose token `credentials` gave, after a `session_expired` answer. */
    private readonly renew: () => Promise<void> = async () => undefined,
  ) {}

  /** Queues one event (standard types such as `widget_open`, `purchase`, or your own snake_case type). */
  track(type: string, properties?: Record<string, unknown>, extra: Omit<TelemetryEvent, 'type' | 'properties'> = {}) {
    this.queue.push({
      clientEventId: randomId(),
      occurredAt: new Date().toISOString(),
      ...extra,
      type,
      ...(properties ? { properties } : {}),
    });
    if (this.queue.length >= MAX_BATCH) void this.flush().catch(() => undefined);
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs ?? 5000);
      // On Node the pending flush must not keep a finished script alive (browsers' timers have no unref).
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Events queued and not yet accepted by the server. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Sends what is queued, in batches of 50; events of a batch that failed stay queued. `keepalive` lets the request
   * outlive the page (what the page-hide flush uses).
   */
  async flush(options: { keepalive?: boolean } = {}): Promise<TelemetryResult | undefined> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // One batch at a time: a second flush waits, so no event is sent by two concurrent batches.
    while (this.sending) await this.sending.catch(() => undefined);
    if (this.queue.length === 0) return undefined;
    this.sending = this.sendAll(options.keepalive ?? false);
    try {
      return await this.sending;
    } finally {
      this.sending = undefined;
    }
  }

  private async sendAll(keepalive: boolean): Promise<TelemetryResult> {
    const total: TelemetryResult = { accepted: 0, duplicates: 0, rejected: [] };
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_BATCH);
      const send = () => {
        const who = this.credentials();
        return this.transport.json<TelemetryResult>({
          method: 'POST',
          path: '/api/public/v1/chat/events/batch',
          json: 'anonymousId' in who ? { events: batch, anonymousId: who.anonymousId } : { events: batch },
          headers:
            'sessionToken' in who
              ? { authorization: `Bearer ${who.sessionToken}` }
              : { 'x-comerix-public-key': this.transport.publicKey },
          ...(keepalive ? { keepalive: true } : {}),
        });
      };
      let result: TelemetryResult;
      try {
        result = await send().catch(async (error: unknown) => {
          if (!(error instanceof ComerixError) || error.code !== 'session_expired') throw error;
          await this.renew();
          return send();
        });
      } catch (error) {
        this.options.onError?.(error);
        throw error;
      }
      const offset = total.accepted + total.duplicates + total.rejected.length;
      total.accepted += result.accepted;
      total.duplicates += result.duplicates;
      total.rejected.push(...result.rejected.map((r) => ({ ...r, index: r.index + offset })));
      this.queue.splice(0, batch.length);
    }
    return total;
  }

  /**
   * Flushes when the page is hidden or unloaded (`visibilitychange` → hidden, `pagehide`), with `keepalive` so the
   * request survives the page. Browsers only; answers a function that removes the listeners.
   */
  flushOnPageHide(target: PageEvents | undefined = (globalThis as { window?: PageEvents }).window): () => void {
    if (!target) return () => undefined;
    const doc = (globalThis as { document?: { visibilityState?: string } }).document;
    const onHide = (event: Event) => {
      if (event.type === 'visibilitychange' && doc?.visibilityState !== 'hidden') return;
      void this.flush({ keepalive: true }).catch(() => undefined);
    };
    target.addEventListener('visibilitychange', onHide);
    target.addEventListener('pagehide', onHide);
    return () => {
      target.removeEventListener('visibilitychange', onHide);
      target.removeEventListener('pagehide', onHide);
    };
  }
}
