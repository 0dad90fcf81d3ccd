// `goal`: records a goal hit (an effect the service persists with the turn) and continues.
import { z } from 'zod';
import { defaultPortOnly, nodeBase } from './common.js';
import { defineNode } from './types.js';

export const goalNodeSchema = z.strictObject({
  ...nodeBase('goal'),
  goal: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must match ^[A-Za-z0-9_.:-]{1,64}$'),
});

export const goalNode = defineNode({
  type: 'goal',
  schema: goalNodeSchema,
  ports: () => defaultPortOnly,
  expressions: () => [],
  async run(node, rt) {
    rt.effect({ type: 'goal', goal: node.goal, nodeId: node.id });
    return { kind: 'next', port: null };
  },
});
