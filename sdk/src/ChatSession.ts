import { ComerixError } from './ComerixError.js';
import { readEventStream } from './readEventStream.js';
import { type RequestSpec, sleep, type Transport } from './transport.js';
import type {
  Block,
  ExecutionState,
  FileRef,
  History,
  OpenSessionInput,
  PendingExecution,
  SendMessageInput,
  Session,
  Turn,
} from './types.js';

const CHAT = '/api/public/v1/chat';

/** What a stream yields: blocks as produced, LLM text deltas, then the settled execution. */
export type StreamEvent =
  | { type: 'block'; id: string | undefined; block: Block }
  | { type: 'token'; blockId: string; delta: string }
  | { type: 'done'; execution: ExecutionState };

export interface WaitOptions {
  /** `poll` (long poll, the default) or `stream` (server-sent events over fetch). */
  mode?: 'poll' | 'stream';
  /** Each block as it arrives (already deduplicated by id). */
  onBlock?: (block: Block) => void;
  /** Each LLM text delta (stream mode only). */
  onToken?: (delta: { blockId: string; delta: string }) => void;
  signal?: AbortSignal;
}

export interface StreamOptions {
  /** The poll cursor to start after (e.g. a turn's `cursor`). */
  after?: string;
  /** The last event id already seen; takes precedence over `after`. */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Reconnections in a row without a new event before giving up. Default 5. */
  maxReconnects?: number;
}

/** A turn or a settled execution: what a widget renders and, when it waits for input, resumes. */
export type Settled = Turn | ExecutionState;

/**
 * One conversation's session. A `session_expired` answer renews the session (a new one for the same conversation,
 * with its `conversationToken`) and repeats the call once; `invalid_session_token` (a revoked session) and a revoked
 * key are final and thrown as they are.
 */
export class ChatSession {
  private renewal: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private state: Session,
    private readonly opening: Omit<OpenSessionInput, 'publicKey'>,
  ) {}

  /** The current session (it changes when renewed). */
  get session(): Session {
    return this.state;
  }
  get sessionToken(): string {
    return this.state.sessionToken;
  }
  get conversationId(): string {
    return this.state.conversationId;
  }
  /** Keep it (with `conversationId`) to continue this conversation later, e.g. after a reload. */
  get conversationToken(): string {
    return this.state.conversationToken;
  }
  get intents(): Session['intents'] {
    return this.state.intents;
  }

  /** Starts `intentName`'s flow. `supersede` aborts a conversation's `waiting_time` execution instead of 409. */
  trigger(
    intentName: string,
    input: Omit<SendMessageInput, 'intentName' | 'waitToken' | 'executionId' | 'values'> = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<Turn> {
    return this.message({ ...input, intentName }, options.signal);
  }

  /** Answers a `waiting_input` turn (or a history's `pending`) with the form's values. */
  resume(
    waiting: { executionId: string; waitToken?: string | undefined },
    values: Record<string, unknown>,
    input: { variables?: Record<string, unknown> } = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<Turn> {
    if (!waiting.waitToken) throw new TypeError('resume: the execution is not waiting for input (no waitToken).');
    return this.message(
      { executionId: waiting.executionId, waitToken: waiting.waitToken, values, ...input },
      options.signal,
    );
  }

  private message(body: SendMessageInput, signal?: AbortSignal): Promise<Turn> {
    // One Idempotency-Key for the logical call: a retry after a lost answer (or a renewal) replays, never re-runs.
    const key = globalThis.crypto.randomUUID();
    return this.authed<Turn>({
      method: 'POST',
      path: `${CHAT}/messages`,
      json: body,
      headers: { 'idempotency-key': key },
      ...(signal ? { signal } : {}),
    });
  }

  /** The execution's state; `waitSeconds` (≤ 25) makes it a long poll that answers when something changes after `after`. */
  poll(executionId: string, options: { after?: string; waitSeconds?: number; signal?: AbortSignal } = {}) {
    return this.authed<ExecutionState>({
      method: 'GET',
      path: `${CHAT}/executions/${encodeURIComponent(executionId)}`,
      query: { after: options.after, waitSeconds: options.waitSeconds },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Follows a `waiting_time` turn until the execution waits for input or ends, and answers that state with every
   * block produced meanwhile. A turn that is not `waiting_time` is answered as it is.
   */
  async wait(turn: Settled, options: WaitOptions = {}): Promise<Settled> {
    if (turn.status !== 'waiting_time') return turn;
    const seen = new Set<string>(turn.blocks.map((b) => b.id));
    const blocks: Block[] = [];
    const add = (block: Block) => {
      if (seen.has(block.id)) return;
      seen.add(block.id);
      blocks.push(block);
      options.onBlock?.(block);
    };
    if (options.mode === 'stream') {
      for await (const event of this.stream(turn.executionId, {
        after: turn.cursor,
        ...(options.signal ? { signal: options.signal } : {}),
      })) {
        if (event.type === 'block') add(event.block);
        else if (event.type === 'token') options.onToken?.(event);
        else return { ...event.execution, blocks };
      }
      throw new ComerixError({ code: 'network_error', message: 'The stream ended early.', status: 0, retryable: true });
    }
    let after = turn.cursor;
    let quiet = 0;
    const pollAfterMs = turn.wait?.type === 'time' ? turn.wait.pollAfterMs : 1000;
    for (;;) {
      const state = await this.poll(turn.executionId, {
        after,
        waitSeconds: 25,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (const block of state.blocks) add(block);
      if (state.status !== 'waiting_time') return { ...state, blocks };
      // A long poll that came back with nothing new (a proxy cut it short): back off before the next one.
      quiet = state.cursor === after ? quiet + 1 : 0;
      after = state.cursor;
      if (quiet > 0) await sleep(Math.min(pollAfterMs * 2 ** (quiet - 1), 15_000), options.signal);
    }
  }

  /**
   * The execution's server-sent events over fetch (the Bearer header rules out `EventSource`). A dropped connection,
   * or a retryable `error` event (a server shutting down), reconnects with `Last-Event-ID`, so no block is lost or
   * repeated; it ends after the `done` event.
   */
  async *stream(executionId: string, options: StreamOptions = {}): AsyncGenerator<StreamEvent> {
    let lastEventId = options.lastEventId;
    let failures = 0;
    const maxReconnects = options.maxReconnects ?? 5;
    for (;;) {
      const response = await this.authedResponse({
        method: 'GET',
        path: `${CHAT}/executions/${encodeURIComponent(executionId)}/stream`,
        query: { after: lastEventId === undefined ? options.after : undefined },
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      let cause: ComerixError;
      try {
        if (!response.body) throw new TypeError('The stream answer has no body.');
        for await (const raw of readEventStream(response.body)) {
          const data = JSON.parse(raw.data) as unknown;
          if (raw.event === 'block') {
            if (raw.id !== undefined) lastEventId = raw.id;
            failures = 0;
            yield { type: 'block', id: raw.id, block: data as Block };
          } else if (raw.event === 'token') {
            yield { type: 'token', ...(data as { blockId: string; delta: string }) };
          } else if (raw.event === 'done') {
            yield { type: 'done', execution: data as ExecutionState };
            return;
          } else if (raw.event === 'error') {
            // Retryable (a server shutting down) → reconnect below; anything else is final.
            throw ComerixError.fromEnvelope(data as Parameters<typeof ComerixError.fromEnvelope>[0]);
          }
        }
        cause = new ComerixError({
          code: 'network_error',
          message: 'The stream closed early.',
          status: 0,
          retryable: true,
        });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (error instanceof ComerixError && !error.retryable) throw error;
        cause =
          error instanceof ComerixError
            ? error
            : new ComerixError({
                code: 'network_error',
                message: error instanceof Error ? error.message : 'The stream was cut.',
                status: 0,
                retryable: true,
                cause: error,
              });
      }
      failures += 1;
      if (failures > maxReconnects) throw cause;
      const delayMs = this.transport.delay(failures - 1, cause.retryAfterMs);
      this.transport.options.onRetry?.({
        method: 'GET',
        path: `${CHAT}/executions/${executionId}/stream`,
        attempt: failures,
        delayMs,
        error: cause,
      });
      await sleep(delayMs, options.signal);
    }
  }

  /** The conversation's transcript, newest page first as the server pages it, with `pending` when an execution waits. */
  history(options: { cursor?: string; limit?: number; signal?: AbortSignal } = {}): Promise<History> {
    return this.authed<History>({
      method: 'GET',
      path: `${CHAT}/history`,
      query: { cursor: options.cursor, limit: options.limit },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The execution still waiting in this conversation (to finish an open form after a reload), if any. */
  async pending(): Promise<PendingExecution | undefined> {
    return (await this.history({ limit: 1 })).pending ?? undefined;
  }

  /** Uploads a file for a `file` field of the waiting `ask` step; resume with `values[field] = fileRef.id`. */
  async upload(executionId: string, field: string, file: Blob, filename = 'upload'): Promise<FileRef> {
    const form = new FormData();
    form.append('file', file, filename);
    const body = await this.authed<{ fileRef: FileRef }>({
      method: 'POST',
      path: `${CHAT}/uploads`,
      query: { executionId, field },
      form,
      headers: { 'idempotency-key': globalThis.crypto.randomUUID() },
    });
    return body.fileRef;
  }

  /** Opens a fresh session for the same conversation (what a `session_expired` answer triggers by itself). */
  renew(): Promise<void> {
    this.renewal ??= (async () => {
      try {
        this.state = await this.transport.json<Session>({
          method: 'POST',
          path: `${CHAT}/sessions`,
          json: {
            ...this.opening,
            publicKey: this.transport.publicKey,
            conversationId: this.state.conversationId,
            conversationToken: this.state.conversationToken,
          },
        });
      } finally {
        this.renewal = undefined;
      }
    })();
    return this.renewal;
  }

  /** A request with the session's Bearer token, renewed once on `session_expired`. Internal to the SDK. */
  async authedResponse(spec: RequestSpec): Promise<Response> {
    const send = () =>
      this.transport.send({
        ...spec,
        headers: { ...spec.headers, authorization: `Bearer ${this.state.sessionToken}` },
      });
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ComerixError) || error.code !== 'session_expired') throw error;
      await this.renew();
      return send();
    }
  }

  async authed<T>(spec: RequestSpec): Promise<T> {
    return (await (await this.authedResponse(spec)).json()) as T;
  }
}
