import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { blockedReason } from './addressClassifier.js';
import { OutboundError } from './OutboundError.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (the SSRF guard checks every one of them). */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** DNS errors worth another attempt later; anything else (ENOTFOUND…) is final. */
const TRANSIENT_DNS = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL']);

/**
 * The SSRF guard: resolves `hostname` (a URL's hostname, brackets allowed) once and refuses it when ANY of its
 * addresses is not allowed. The caller connects to one of the returned addresses — never resolving again — so a
 * DNS answer that changes between check and connect (rebinding) cannot reach an address that was not checked.
 */
export async function resolveAndCheck(
  hostname: string,
  options: { allowPrivateNetworks: boolean; lookup?: LookupAll; signal?: AbortSignal },
): Promise<ResolvedAddress[]> {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  if (family !== 0) {
    const reason = blockedReason(host, options.allowPrivateNetworks);
    if (reason) throw blocked(`${hostname} is a ${label(reason)} address`);
    return [{ address: host, family }];
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await abortable((options.lookup ?? systemLookup)(host), options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EDNS';
    throw new OutboundError('connection_error', `could not resolve ${host} (${code})`, {
      retryable: TRANSIENT_DNS.has(code),
      causeCode: code,
    });
  }
  if (addresses.length === 0) {
    throw new OutboundError('connection_error', `could not resolve ${host} (no addresses)`, {
      retryable: false,
      causeCode: 'ENOTFOUND',
    });
  }
  for (const a of addresses) {
    const reason = blockedReason(a.address, options.allowPrivateNetworks);
    if (reason) throw blocked(`${host} resolves to a ${label(reason)} address`);
  }
  return addresses;
}

function blocked(what: string): OutboundError {
  return new OutboundError('ssrf_blocked', `refused: ${what} (outbound calls reach public addresses only)`, {
    retryable: false,
  });
}

function label(kind: string): string {
  return kind.replace(/_/g, '-');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
