// `subflow`: runs the tenant's published flow of an intent inline, sharing `vars`; the walker in step.ts pushes a
// frame (pinning the version) and continues on the default port once the subflow completes.
import { z } from 'zod';
import { defaultPortOnly, INTENT_NAME_PATTERN, nodeBase } from './common.js';
import { defineNode } from './types.js';

export const subflowNodeSchema = z.strictObject({
  ...nodeBase('subflow'),
  intent: z.string().regex(INTENT_NAME_PATTERN, 'an intent name: must match ^[a-z][a-z0-9_]{0,63}$'),
});

export const subflowNode = defineNode({
  type: 'subflow',
  schema: subflowNodeSchema,
  ports: () => defaultPortOnly,
  expressions: () => [],
  async run(node) {
    return { kind: 'subflow', intent: node.intent };
  },
});
