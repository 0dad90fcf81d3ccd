import { type Kysely, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { Block } from '../engine/blocks.js';
import type { Json, StepResult } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';

export const DEFAULT_WAIT_EXPIRY_SECONDS = 24 * 60 * 60;

export interface StepWrites {
  blocks: Block[];
  lastSeq: number;
  waitId: string | null;
  waitExpiresAt: Date | null;
  /** Inserts the transcript items, the wait and the goal hits; call it after the execution row is written. */
  write(trx: Kysely<Database>): Promise<void>;
}

/**
 * Turns what one engine step produced — blocks (numbered after the execution's last sequence number), the new input
 * wait, goal hits — into rows. The caller writes the execution row first (conditional on the version it read), then
 * `write`s these in the same transaction.
 */
export function planStep(args: {
  tenantId: string;
  conversationId: string;
  executionId: string;
  lastSeq: number;
  flow: FlowDefinition;
  result: StepResult;
  now: Date;
}): StepWrites {
  const { tenantId, conversationId, executionId, result, now } = args;
  const blocks = result.blocks.map((body, i) => ({ id: `${executionId}.${args.lastSeq + i + 1}`, ...body }) as Block);
  const seconds = args.flow.settings?.waitExpiresSeconds ?? DEFAULT_WAIT_EXPIRY_SECONDS;
  const waiting = result.status === 'waiting_input' && result.wait ? result.wait : undefined;
  const waitId = waiting ? uuidv7() : null;
  const waitExpiresAt = waiting ? new Date(now.getTime() + seconds * 1000) : null;
  const goals = result.effects.filter((e) => e.type === 'goal');

  const write = async (trx: Kysely<Database>) => {
    if (blocks.length > 0) {
      await trx
        .insertInto('chat_items')
        .values(
          blocks.map((block, i) => ({
            tenant_id: tenantId,
            conversation_id: conversationId,
            execution_id: executionId,
            seq: args.lastSeq + i + 1,
            role: 'bot' as const,
            body: json(block),
            created_at: now,
          })),
        )
        .execute();
    }
    if (waiting && waitId) {
      await trx
        .insertInto('waits')
        .values({
          id: waitId,
          tenant_id: tenantId,
          execution_id: executionId,
          node_id: waiting.nodeId,
          kind: 'input',
          status: 'open',
          fields: json(waiting.fields),
          submit_label: waiting.submitLabel ?? null,
          expires_at: waitExpiresAt,
          created_at: now,
        })
        .execute();
    }
    if (goals.length > 0) {
      await trx
        .insertInto('goal_hits')
        .values(
          goals.map((g) => ({
            tenant_id: tenantId,
            conversation_id: conversationId,
            execution_id: executionId,
            goal: g.goal,
            node_id: g.nodeId,
            created_at: now,
          })),
        )
        .execute();
    }
  };
  return { blocks, lastSeq: args.lastSeq + blocks.length, waitId, waitExpiresAt, write };
}

/** Appends this turn's step trace to the execution's trace, in SQL, without reading it back. */
export function appendTrace(trace: StepResult['trace']) {
  return sql<Json[]>`trace || ${json(trace)}::jsonb`;
}
