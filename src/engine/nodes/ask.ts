// `ask`: shows a form (optionally after a text) and waits; resume stores each field under `vars.<field name>`.
import { z } from 'zod';
import { fieldsSchema } from '../../fields/fieldSchema.js';
import { renderBlock } from '../renderBlock.js';
import { defaultPortOnly, nodeBase, templateSchema } from './common.js';
import { defineNode } from './types.js';

export const askNodeSchema = z.strictObject({
  ...nodeBase('ask'),
  text: templateSchema.optional(),
  fields: fieldsSchema,
  submitLabel: z.string().min(1).max(200).optional(),
});

export const askNode = defineNode({
  type: 'ask',
  schema: askNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) => (node.text ? [{ path: ['text'], source: node.text, kind: 'template' }] : []),
  async run(node, rt) {
    if (node.text) {
      const block = await renderBlock({ type: 'text', text: node.text }, ['text'], rt);
      if (block) rt.emit(block);
    }
    const submitLabel = node.submitLabel ? { submitLabel: node.submitLabel } : {};
    rt.emit({ type: 'form', fields: node.fields, ...submitLabel });
    return { kind: 'wait', fields: node.fields, ...submitLabel };
  },
  resume(node, values, rt) {
    for (const field of node.fields) {
      const value = values[field.name];
      // An optional field left empty clears what an earlier pass through this form stored.
      if (value === undefined) delete rt.vars[field.name];
      else rt.vars[field.name] = value;
    }
    return null;
  },
});
