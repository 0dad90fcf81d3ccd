import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { OutboundError } from './OutboundError.js';
import { redact } from './redact.js';
import { describeUrl } from './requestUrl.js';
import { type LookupAll, resolveAndCheck } from './ssrfGuard.js';
import { pinnedLookup } from './transport.js';

export interface GuardedFetchOptions {
  /** Requests must stay on this origin (the connection's); nothing is sent anywhere else. */
  origin: string;
  allowPrivateNetworks: boolean;
  lookup?: LookupAll;
  /** Blanked out of every error message. */
  secrets: string[];
  /** Until the response headers arrive (the body is streamed; the caller bounds it with its own signal). */
  headersTimeoutMs: number;
}

/**
 * A `fetch` for SDK clients (the `openai` client) that goes through the outbound guard: same origin as the connection,
 * the host resolved once and checked by the SSRF guard, the socket connected to the checked address, no redirects
 * followed, a deadline until the headers, and the response body streamed (LLM answers arrive as server-sent events).
 * Throws OutboundError with secret-free messages.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== options.origin || url.username || url.password) {
      throw new OutboundError('origin_mismatch', `refused: ${describeUrl(url)} is not on the connection's origin`, {
        retryable: false,
      });
    }
    const signal = init?.signal ?? undefined;
    const addresses = await resolveAndCheck(url.hostname, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(signal ? { signal } : {}),
    });
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    // Streamed bodies are read as they come: no compression to undo mid-stream.
    headers['accept-encoding'] = 'identity';
    const body = await bodyBuffer(init?.body);
    if (body) headers['content-length'] = String(body.length);
    const res = await open(url, init?.method ?? 'GET', headers, body, addresses[0]!, signal, options);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const status = res.statusCode ?? 0;
    const stream = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
    return new Response(stream, { status, headers: responseHeaders });
  };
}

async function bodyBuffer(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(await new Response(body).arrayBuffer());
}

function open(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  address: { address: string; family: number },
  signal: AbortSignal | undefined,
  options: GuardedFetchOptions,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const timer = setTimeout(() => {
      req.destroy(
        new OutboundError(
          'timeout',
          `${method} ${describeUrl(url)}: no response within ${options.headersTimeoutMs} ms`,
          { retryable: true },
        ),
      );
    }, options.headersTimeoutMs);
    const req = client.request(
      {
        method,
        hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false,
        lookup: pinnedLookup(address),
        ...(signal ? { signal } : {}),
      },
      (res) => {
        clearTimeout(timer);
        resolve(res);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof OutboundError) reject(error);
      else if (signal?.aborted) reject(signal.reason ?? error);
      else {
        const code = error.code ?? 'EUNKNOWN';
        reject(
          new OutboundError(
            'connection_error',
            redact(`${method} ${url.origin}: connection failed (${code})`, options.secrets),
            { retryable: true, causeCode: code },
          ),
        );
      }
    });
    if (body) req.end(body);
    else req.end();
  });
}
