import { HEADER_NAME_PATTERN, RESERVED_HEADERS } from '../engine/nodes/http.js';
import { OutboundError } from './OutboundError.js';

/** What Node's http client accepts in a header value, minus nothing: HTAB, visible ASCII, obs-text. */
const VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

/**
 * Headers the client itself sets (framing, routing, idempotency): a caller may not override them. The flow
 * validator's list (a flow's `http` node), plus two only the client needs to keep from auth header names.
 */
const RESERVED: ReadonlySet<string> = new Set([...RESERVED_HEADERS, 'expect', 'proxy-authorization']);

function invalid(message: string): OutboundError {
  return new OutboundError('invalid_header', message, { retryable: false });
}

/** Throws `invalid_header` unless name is an HTTP token and value has no CR, LF or other control character. */
export function checkHeader(name: string, value: string): void {
  if (!HEADER_NAME_PATTERN.test(name))
    throw invalid(`header name ${JSON.stringify(name.slice(0, 64))} is not a valid HTTP token`);
  if (typeof value !== 'string') throw invalid(`header ${name} has a value that is not a string`);
  if (/[\r\n]/.test(value)) throw invalid(`header ${name} contains CR or LF`);
  if (!VALUE.test(value)) throw invalid(`header ${name} contains a control or non-Latin-1 character`);
}

/** Whether a connection may use this name for its auth header. */
export function isUsableAuthHeaderName(name: string): boolean {
  return HEADER_NAME_PATTERN.test(name) && !RESERVED.has(name.toLowerCase());
}

/**
 * Validates the caller's headers and returns them with lower-case names. `authHeader` is the header the connection's
 * auth sets (if any): the caller may not set it, so a template can neither read nor replace the credential.
 */
export function callerHeaders(
  headers: Record<string, string> | undefined,
  authHeader?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    checkHeader(name, value);
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) throw invalid(`header ${name} is set by the outbound client`);
    if (authHeader && lower === authHeader.toLowerCase()) throw invalid(`header ${name} is set by the connection`);
    if (lower in out) throw invalid(`header ${name} is given twice`);
    out[lower] = value;
  }
  return out;
}
