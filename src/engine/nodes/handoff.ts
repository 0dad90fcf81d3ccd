// `handoff`: hands the conversation to a person. Emits a `handoff` block (the widget shows `message`), records a
// handoff effect (the service sends `chat.handoff.requested` to the business's webhooks with the turn) and completes
// the execution — inside a subflow too: the conversation has left the bot.
import { z } from 'zod';
import { nodeBase, templateSchema } from './common.js';
import { defineNode } from './types.js';

export const handoffNodeSchema = z.strictObject({
  ...nodeBase('handoff'),
  /** Which team or queue should pick the conversation up; passed through to the webhook and the block. */
  queue: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must match ^[A-Za-z0-9_.:-]{1,64}$')
    .optional(),
  /** Shown to the visitor (a text template). */
  message: templateSchema.optional(),
});

export const handoffNode = defineNode({
  type: 'handoff',
  schema: handoffNodeSchema,
  ports: () => ({ required: [], allowed: [] }),
  expressions: (node) =>
    node.message === undefined ? [] : [{ path: ['message'], source: node.message, kind: 'template' as const }],
  async run(node, rt) {
    const message = node.message === undefined ? undefined : await rt.render(node.message, 'text');
    rt.emit({
      type: 'handoff',
      ...(message !== undefined && message !== '' ? { message } : {}),
      ...(node.queue !== undefined ? { queue: node.queue } : {}),
    });
    rt.effect({ type: 'handoff', nodeId: node.id, queue: node.queue ?? null, message: message || null });
    return { kind: 'end', status: 'completed', final: true };
  },
});
