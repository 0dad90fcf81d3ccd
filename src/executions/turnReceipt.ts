import type { RawBuilder } from 'kysely';
import type { Json } from '../engine/types.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { waitToken } from '../security/derivedTokens.js';
import type { Secrets } from '../security/secrets.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import type { ExecutionView } from './turnResponse.js';

/** A turn's answer as its idempotency record keeps it: without the wait token (derived again from the wait id). */
interface StoredTurn {
  response: Omit<ChatTurnResponse, 'waitToken'>;
  waitId?: string;
}

/**
 * The receipt SQL for a turn about to be written: the answer it will give, built from the row the write is expected
 * to produce (the write is conditional on exactly that, so if it commits, this is its answer).
 */
export function turnReceipt(
  receipt: Receipt | undefined,
  expected: ExecutionView,
  respond: () => ChatTurnResponse,
): RawBuilder<unknown> | undefined {
  if (!receipt) return undefined;
  const response = respond();
  const { waitToken: _token, ...rest } = response;
  const stored: StoredTurn = {
    response: rest,
    ...(response.waitToken && expected.wait_id ? { waitId: expected.wait_id } : {}),
  };
  return receipt.sql(200, stored as unknown as Json);
}

/** The stored answer of a turn, with its wait token derived again. */
export function replayTurn(
  secrets: Secrets,
  stored: { status: number; body: unknown },
): { status: number; body: unknown } {
  const turn = stored.body as StoredTurn | { error: unknown };
  if (!('response' in turn)) return stored;
  return {
    status: stored.status,
    body: turn.waitId ? { ...turn.response, waitToken: waitToken(secrets, turn.waitId) } : turn.response,
  };
}
