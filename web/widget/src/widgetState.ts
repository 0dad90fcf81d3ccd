// The states a person can act on (issue 24 "Errors a person can act on"), from a failed call.
import { ComerixError } from '../../../sdk/src/index.js';

export type ProblemKind =
  /** This page's origin is not in the key's allowed origins (or the key is misconfigured): a job for the site owner. */
  | 'config'
  /** The widget key was revoked or never existed. */
  | 'revoked'
  /** The session was ended by the server (revoked): a new conversation can start. */
  | 'session_ended'
  | 'rate_limited'
  | 'offline'
  /** The topic asked for is not (or no longer) published or allowed. */
  | 'unknown_intent'
  | 'error';

export interface Problem {
  kind: ProblemKind;
  code: string;
  requestId: string;
  retryAfterMs?: number;
}

/**
 * A refused origin answers 403 without CORS headers, so a cross-origin page sees only a failed fetch, exactly like
 * being offline. `reachable` tells the two apart: an opaque (no-cors) request to the server succeeds when the server
 * answers at all, and then the failure was the browser refusing to show us the answer.
 */
export async function classify(error: unknown, reachable: () => Promise<boolean>): Promise<Problem> {
  if (!(error instanceof ComerixError)) return { kind: 'error', code: 'client_error', requestId: '' };
  const base = { code: error.code, requestId: error.requestId };
  switch (error.code) {
    case 'origin_not_allowed':
      return { kind: 'config', ...base };
    case 'invalid_public_key':
      return { kind: 'revoked', ...base };
    case 'invalid_session_token':
      return { kind: 'session_ended', ...base };
    case 'intent_not_allowed':
    case 'intent_not_matched':
      return { kind: 'unknown_intent', ...base };
    case 'rate_limited':
      return {
        kind: 'rate_limited',
        ...base,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      };
    case 'network_error':
      return { kind: (await reachable()) ? 'config' : 'offline', ...base };
    default:
      return { kind: 'error', ...base };
  }
}

/** What the visitor reads for each problem. */
export function problemText(problem: Problem, origin: string): string {
  switch (problem.kind) {
    case 'config':
      return `This chat is not set up for this site: the page's origin (${origin}) is probably not among the allowed origins of its widget key. The site owner can add it in the widget settings.`;
    case 'revoked':
      return 'This chat is no longer available (its widget key was revoked).';
    case 'session_ended':
      return 'This conversation was closed. You can start a new one.';
    case 'rate_limited': {
      const seconds =
        problem.retryAfterMs !== undefined ? Math.max(1, Math.ceil(problem.retryAfterMs / 1000)) : undefined;
      return `Too many messages at once. Please wait${seconds ? ` ${seconds} s` : ' a moment'} and try again.`;
    }
    case 'offline':
      return 'We cannot reach the chat service. Check your connection and try again.';
    case 'unknown_intent':
      return 'Sorry, that topic is not available right now.';
    case 'error':
      return `Something went wrong. Please try again.${problem.requestId ? ` (reference ${problem.requestId})` : ''}`;
  }
}
