import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { OutboundError } from './OutboundError.js';
import type { ResolvedAddress } from './ssrfGuard.js';

export interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Addresses the SSRF guard checked; the socket connects to one of them and to nothing else. */
  addresses: ResolvedAddress[];
  /** Aborts on the attempt's timeout or the caller's signal; its reason is the OutboundError to throw. */
  signal: AbortSignal;
  maxResponseBytes: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Errors raised while connecting, before anything was sent: the next checked address may be tried. */
const CONNECT_PHASE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);
/** Connection-level failures worth another attempt. */
const RETRYABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);

/**
 * A `lookup` that answers with the address the guard already checked, whatever name it is asked for: Node keeps
 * the host name for the Host header and TLS SNI/certificate checks, but never resolves it again.
 */
export function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/** One HTTP exchange (no redirects, no retries), trying the checked addresses in order while connecting fails. */
export async function sendHop(request: HopRequest): Promise<RawResponse> {
  let lastError: unknown;
  for (const address of request.addresses.slice(0, 4)) {
    try {
      return await exchange(request, address);
    } catch (error) {
      lastError = error;
      const code = (error as NodeJS.ErrnoException).code;
      if (request.signal.aborted || !code || !CONNECT_PHASE.has(code)) break;
    }
  }
  throw toOutboundError(lastError, request);
}

function toOutboundError(error: unknown, request: HopRequest): OutboundError {
  if (request.signal.aborted && request.signal.reason instanceof OutboundError) return request.signal.reason;
  if (error instanceof OutboundError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  // Node's own messages name at most an address and port (never headers), but keep ours uniform.
  return new OutboundError('connection_error', `${request.method} ${request.url.origin}: connection failed (${code})`, {
    retryable: RETRYABLE.has(code),
    causeCode: code,
  });
}

function exchange(request: HopRequest, address: ResolvedAddress): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const { url } = request;
    const client = url.protocol === 'https:' ? https : http;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const tooLarge = () =>
      new OutboundError(
        'response_too_large',
        `${request.method} ${url.origin}${url.pathname}: the response is larger than ${request.maxResponseBytes} bytes`,
        { retryable: false },
      );
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const req = client.request(
      {
        method: request.method,
        hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: `${url.pathname}${url.search}`,
        headers: request.headers,
        agent: false,
        lookup: pinnedLookup(address),
        signal: request.signal,
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
          res.destroy();
          fail(tooLarge());
          return;
        }
        let stream: Readable = res;
        const encoding = String(res.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase();
        if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
        else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
        else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
        const chunks: Buffer[] = [];
        let total = 0;
        stream.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > request.maxResponseBytes) {
            res.destroy();
            if (stream !== res) stream.destroy();
            fail(tooLarge());
            return;
          }
          chunks.push(chunk);
        });
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        stream.on('error', fail);
        if (stream !== res) res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('the response ended early'), { code: 'ECONNRESET' }));
        });
      },
    );
    req.on('error', fail);
    if (request.body) req.end(request.body);
    else req.end();
  });
}
