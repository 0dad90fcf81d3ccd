// `choice`: shows buttons or quick replies and waits; the chosen value is stored under `vars.<node id>` and names
// the port to follow (§4: a choice wait is an input wait with one select field named after the node).
import { z } from 'zod';
import { FIELD_NAME_PATTERN } from '../../fields/fieldSchema.js';
import type { Field } from '../../fields/types.js';
import { EngineInputError } from '../engineInputError.js';
import { renderBlock } from '../renderBlock.js';
import { nodeBase, portNameSchema, templateSchema } from './common.js';
import { defineNode } from './types.js';

export const choiceNodeSchema = z
  .strictObject({
    ...nodeBase('choice'),
    // The id doubles as the wait's field name and as `vars.<id>`, so it must be a valid field name.
    id: z.string().regex(FIELD_NAME_PATTERN, 'a choice id is also a field name: must match ^[a-z][a-z0-9_]{0,63}$'),
    text: templateSchema.optional(),
    options: z
      .array(z.strictObject({ label: templateSchema, value: portNameSchema }))
      .min(1)
      .max(20),
    display: z.enum(['buttons', 'quick_replies']).optional(),
  })
  .superRefine((node, ctx) => {
    const seen = new Set<string>();
    node.options.forEach((option, i) => {
      if (seen.has(option.value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'value'],
          message: `duplicate option value "${option.value}"`,
        });
      }
      seen.add(option.value);
    });
  });

export const choiceNode = defineNode({
  type: 'choice',
  schema: choiceNodeSchema,
  ports: (node) => {
    const ports = node.options.map((option) => option.value);
    return { required: ports, allowed: ports };
  },
  expressions: (node) => [
    ...(node.text ? [{ path: ['text'], source: node.text, kind: 'template' as const }] : []),
    ...node.options.map((option, i) => ({
      path: ['options', i, 'label'],
      source: option.label,
      kind: 'template' as const,
    })),
  ],
  async run(node, rt) {
    const type = node.display ?? 'buttons';
    const block = await renderBlock({ type, options: node.options, ...(node.text ? { text: node.text } : {}) }, [], rt);
    if (block) rt.emit(block);
    const shown = block?.type === type ? block : undefined;
    const field: Field = {
      name: node.id,
      type: 'select',
      label: (shown?.text ?? node.id).slice(0, 200),
      required: true,
      // Rendered labels when the block survived; the option values are literal either way.
      options: shown?.options ?? node.options.map((option) => ({ label: option.value, value: option.value })),
    };
    return { kind: 'wait', fields: [field] };
  },
  resume(node, values, rt) {
    const value = values[node.id];
    if (typeof value !== 'string' || !node.options.some((option) => option.value === value)) {
      throw new EngineInputError(`resume value for choice "${node.id}" is not one of its options`);
    }
    rt.vars[node.id] = value;
    return value;
  },
});
