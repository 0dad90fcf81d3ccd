import { ChatSession } from './ChatSession.js';
import { PublicReads } from './PublicReads.js';
import { Telemetry, type TelemetryOptions } from './Telemetry.js';
import { type ClientOptions, randomId, Transport } from './transport.js';
import type { OpenSessionInput, Session } from './types.js';

export interface ComerixClientOptions extends ClientOptions {
  /** The visitor id for telemetry before a session is open; default: a random id per client. */
  anonymousId?: string;
  telemetry?: TelemetryOptions;
}

/** A client for the public chat API of one widget key: sessions, forms, published reads and telemetry. */
export class ComerixClient extends PublicReads {
  private current: ChatSession | undefined;
  /** Batched telemetry: `track(type, properties)`, `flush()`, `flushOnPageHide()`. */
  readonly telemetry: Telemetry;
  readonly anonymousId: string;

  constructor(
    private readonly http: Transport,
    options: ComerixClientOptions,
  ) {
    super(http);
    this.anonymousId = options.anonymousId ?? randomId();
    this.telemetry = new Telemetry(
      http,
      () => (this.current ? { sessionToken: this.current.sessionToken } : { anonymousId: this.anonymousId }),
      options.telemetry,
      async () => this.current?.renew(),
    );
  }

  /** The session opened last, if any; telemetry is sent with it once there is one. */
  get chat(): ChatSession | undefined {
    return this.current;
  }

  /**
   * Opens a session. With `conversationId` and `conversationToken` (kept from an earlier session) it continues that
   * conversation, e.g. after a page reload; `chat.pending()` then tells whether a form is still open.
   */
  async openChat(
    input: Omit<OpenSessionInput, 'publicKey'>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ChatSession> {
    const session = await this.http.json<Session>({
      method: 'POST',
      path: '/api/public/v1/chat/sessions',
      json: { ...input, publicKey: this.http.publicKey },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { conversationId: _id, conversationToken: _token, ...opening } = input;
    this.current = new ChatSession(this.http, session, opening);
    return this.current;
  }
}

/** A client for one widget key. */
export function createComerixClient(options: ComerixClientOptions): ComerixClient {
  return new ComerixClient(new Transport(options), options);
}
