// `set`: assigns variables from expressions, in order, so later assignments see earlier ones.
import { z } from 'zod';
import { defaultPortOnly, expressionSchema, nodeBase, VAR_NAME_PATTERN } from './common.js';
import { defineNode } from './types.js';

export const setNodeSchema = z.strictObject({
  ...nodeBase('set'),
  assign: z
    .record(z.string().regex(VAR_NAME_PATTERN, 'variable names must match ^[a-z][a-z0-9_]{0,63}$'), expressionSchema)
    .refine((assign) => Object.keys(assign).length >= 1 && Object.keys(assign).length <= 50, {
      message: 'assign needs 1 to 50 variables',
    }),
});

export const setNode = defineNode({
  type: 'set',
  schema: setNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) =>
    Object.entries(node.assign).map(([name, source]) => ({ path: ['assign', name], source, kind: 'expression' })),
  async run(node, rt) {
    for (const [name, source] of Object.entries(node.assign)) {
      const value = await rt.evaluate(source);
      // JSONata's "no value" removes the variable rather than storing a null the author never wrote.
      if (value === undefined) delete rt.vars[name];
      else rt.vars[name] = value;
    }
    return { kind: 'next', port: null };
  },
});
