// `message`: emits its blocks, rendered from templates, and continues.
import { z } from 'zod';
import { blockTemplateSchema, blockTemplateSites } from '../blockTemplates.js';
import { renderBlock } from '../renderBlock.js';
import { defaultPortOnly, nodeBase } from './common.js';
import { defineNode } from './types.js';

export const messageNodeSchema = z.strictObject({
  ...nodeBase('message'),
  blocks: z.array(blockTemplateSchema).min(1).max(20),
});

export const messageNode = defineNode({
  type: 'message',
  schema: messageNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) => node.blocks.flatMap((block, i) => blockTemplateSites(block, ['blocks', i])),
  async run(node, rt) {
    for (const [i, template] of node.blocks.entries()) {
      const block = await renderBlock(template, ['blocks', i], rt);
      if (block) rt.emit(block);
    }
    return { kind: 'next', port: null };
  },
});
