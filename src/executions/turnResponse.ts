import type { Block } from '../engine/blocks.js';
import type { Json } from '../engine/types.js';
import type { Field } from '../fields/types.js';
import { waitToken } from '../security/derivedTokens.js';
import type { Secrets } from '../security/secrets.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { encodeCursor } from './cursor.js';

export interface ExecutionView {
  id: string;
  conversation_id: string;
  status: string;
  version: number;
  last_seq: number;
  wait_id: string | null;
  wait_expires_at: Date | null;
  error: { [key: string]: Json } | null;
  reason: string | null;
}

/** The one shape every turn reply, poll and stream `done` event is built from. */
export function turnResponse(
  secrets: Secrets,
  execution: ExecutionView,
  blocks: Block[],
  waitFields: Field[] | null,
): ChatTurnResponse {
  const response: ChatTurnResponse = {
    executionId: execution.id,
    conversationId: execution.conversation_id,
    status: execution.status as ChatTurnResponse['status'],
    blocks,
    cursor: encodeCursor({ seq: execution.last_seq, version: execution.version }),
  };
  if (execution.status === 'waiting_input' && execution.wait_id && waitFields) {
    response.waitToken = waitToken(secrets, execution.wait_id);
    response.wait = {
      type: 'input',
      fields: waitFields,
      expiresAt: execution.wait_expires_at ? execution.wait_expires_at.toISOString() : null,
    };
  }
  if (execution.status === 'failed' && execution.error) {
    response.error = { code: String(execution.error.code), message: String(execution.error.message) };
  }
  if (execution.status === 'aborted' && execution.reason) response.reason = execution.reason;
  return response;
}
