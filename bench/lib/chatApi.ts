import { type Request, runLoad } from './load.js';

// Request builders for the public chat API (src/chat/chatRoutes.ts) and the preparation passes that create the
// sessions and waiting executions the timed scenarios consume. Preparation also goes through autocannon: it is the
// cheapest HTTP client we have, and these passes double as warm-up of the same code paths.

const BASE = '/api/public/v1/chat';
/** One of the demo key's allowed origins (src/demo/seedDemo.ts); POSTs without an Origin are refused for it. */
export const ORIGIN = 'http://localhost:3000';
export const TRIGGER_BODY = JSON.stringify({ intentName: 'order_status', text: 'hi' });
/** 12345 is the order number the demo flow knows, so the resume takes the `shipped` branch and completes. */
const RESUME_VALUES = { order_number: '12345' };

export interface WaitingExecution {
  sessionToken: string;
  executionId: string;
  waitToken: string;
}

export function openSessionRequest(publicKey: string, customerId: string, onToken?: (token: string) => void): Request {
  return {
    method: 'POST',
    path: `${BASE}/sessions`,
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ publicKey, customerId }),
    ...(onToken
      ? {
          onResponse: (status: number, body: string) => {
            if (status === 201) onToken(field(body, 'sessionToken'));
          },
        }
      : {}),
  };
}

function authHeaders(sessionToken: string, json: boolean): Record<string, string> {
  return {
    origin: ORIGIN,
    authorization: `Bearer ${sessionToken}`,
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

/** A trigger in the session `token()` names at build time, so one connection can rotate over several sessions. */
export function triggerRequest(token: () => string, onTurn?: (turn: WaitingExecution) => void): Request {
  let current = '';
  return {
    method: 'POST',
    path: `${BASE}/messages`,
    body: TRIGGER_BODY,
    setupRequest(request) {
      current = token();
      return { ...request, headers: authHeaders(current, true) };
    },
    ...(onTurn
      ? {
          onResponse: (status: number, body: string) => {
            if (status === 200)
              onTurn({
                sessionToken: current,
                executionId: field(body, 'executionId'),
                waitToken: field(body, 'waitToken'),
              });
          },
        }
      : {}),
  };
}

export function resumeRequest(next: () => WaitingExecution | undefined): Request {
  return {
    method: 'POST',
    path: `${BASE}/messages`,
    setupRequest(request) {
      const w = next();
      // No pair left (a failed trigger in a turn pair): send an invalid resume so it counts as a failure.
      if (!w) return { ...request, headers: authHeaders('none', true), body: '{}' };
      return {
        ...request,
        headers: authHeaders(w.sessionToken, true),
        body: JSON.stringify({ executionId: w.executionId, waitToken: w.waitToken, values: RESUME_VALUES }),
      };
    },
  };
}

export function pollRequest(next: () => WaitingExecution): Request {
  return {
    method: 'GET',
    path: `${BASE}/executions/0`,
    setupRequest(request) {
      const w = next();
      return { ...request, path: `${BASE}/executions/${w.executionId}`, headers: authHeaders(w.sessionToken, false) };
    },
  };
}

/**
 * A telemetry batch of `size` events in the session `token()` names: page views and add-to-carts, each with a
 * clientEventId unique to the run (`runId`) and the request (`next()`), so every event is stored, none a duplicate.
 */
export function telemetryBatchRequest(token: () => string, runId: string, next: () => number, size = 50): Request {
  return {
    method: 'POST',
    path: `${BASE}/events/batch`,
    setupRequest(request) {
      const batch = next();
      const events = Array.from({ length: size }, (_, i) =>
        i % 5 === 4
          ? { type: 'add_to_cart', clientEventId: `${runId}-${batch}-${i}`, properties: { productId: `sku-${i}` } }
          : { type: 'page_view', clientEventId: `${runId}-${batch}-${i}`, properties: { pageType: 'product' } },
      );
      return { ...request, headers: authHeaders(token(), true), body: JSON.stringify({ events }) };
    },
  };
}

/** Pulls a string member out of a JSON response without parsing all of it (keeps the load generator light). */
function field(body: string, name: string): string {
  const match = new RegExp(`"${name}":"([^"]+)"`).exec(body);
  return match ? match[1]! : '';
}

/** Splits `items` over the connections the way autocannon splits `amount`: item j goes to connection j % n. */
export function dealOut<T>(items: T[], connections: number): T[][] {
  const hands: T[][] = Array.from({ length: connections }, () => []);
  for (const [j, item] of items.entries()) hands[j % connections]!.push(item);
  return hands;
}

/** Round-robin over one connection's own items. */
export function rotate<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

/** Opens `count` sessions (each a new conversation) and returns their tokens. */
export async function openSessions(
  url: string,
  publicKey: string,
  count: number,
  connections: number,
): Promise<string[]> {
  const tokens: string[] = [];
  const c = Math.min(connections, count);
  const r = await runLoad({
    url,
    connections: c,
    amount: count,
    requests: (client) => [openSessionRequest(publicKey, `bench-${client}`, (t) => tokens.push(t))],
  });
  if (tokens.length < count)
    throw new Error(`opened only ${tokens.length} of ${count} sessions: ${JSON.stringify(r.statusCodes)}`);
  return tokens;
}

/**
 * Creates `count` waiting executions, each in its own new conversation: open a session, trigger order_status (→
 * waiting_input). One per conversation because a later trigger in the same conversation would supersede it.
 */
export async function createWaitingExecutions(
  url: string,
  publicKey: string,
  count: number,
  connections: number,
): Promise<WaitingExecution[]> {
  const waiting: WaitingExecution[] = [];
  const c = Math.min(connections, count);
  const perClient = Math.ceil(count / c);
  await runLoad({
    url,
    connections: c,
    amount: perClient * c * 2, // whole (open, trigger) pairs on every connection
    requests: (client) => {
      let token = '';
      return [
        openSessionRequest(publicKey, `bench-wait-${client}`, (t) => {
          token = t;
        }),
        triggerRequest(
          () => token,
          (turn) => waiting.push(turn),
        ),
      ];
    },
  });
  const usable = waiting.filter((w) => w.executionId && w.waitToken);
  if (usable.length < count) throw new Error(`created only ${usable.length} of ${count} waiting executions`);
  return usable;
}
