// `condition`: one boolean expression (ports `true`/`false`), or `cases` tried in order (their ports, else `default`).
import { z } from 'zod';
import type { Json } from '../types.js';
import { expressionSchema, nodeBase, portNameSchema } from './common.js';
import { defineNode } from './types.js';

export const conditionNodeSchema = z
  .strictObject({
    ...nodeBase('condition'),
    expression: expressionSchema.optional(),
    cases: z
      .array(z.strictObject({ port: portNameSchema, expression: expressionSchema }))
      .min(1)
      .max(20)
      .optional(),
  })
  .superRefine((node, ctx) => {
    if ((node.expression === undefined) === (node.cases === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a condition needs exactly one of "expression" or "cases"' });
    }
    const seen = new Set<string>();
    node.cases?.forEach((item, i) => {
      if (item.port === 'default' || seen.has(item.port)) {
        const why = item.port === 'default' ? 'is reserved for the fallback' : 'is used twice';
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'port'], message: `port "${item.port}" ${why}` });
      }
      seen.add(item.port);
    });
  });

export const conditionNode = defineNode({
  type: 'condition',
  schema: conditionNodeSchema,
  ports: (node) => {
    const ports = node.cases ? [...node.cases.map((item) => item.port), 'default'] : ['true', 'false'];
    return { required: ports, allowed: ports };
  },
  expressions: (node) =>
    node.cases
      ? node.cases.map((item, i) => ({ path: ['cases', i, 'expression'], source: item.expression, kind: 'expression' }))
      : [{ path: ['expression'], source: node.expression ?? '', kind: 'expression' }],
  async run(node, rt) {
    if (!node.cases)
      return { kind: 'next', port: isTruthy(await rt.evaluate(node.expression ?? '')) ? 'true' : 'false' };
    for (const item of node.cases) {
      if (isTruthy(await rt.evaluate(item.expression))) return { kind: 'next', port: item.port };
    }
    return { kind: 'next', port: 'default' };
  },
});

/** JSONata's own `$boolean` rules, so a condition means what the same expression means inside JSONata. */
export function isTruthy(value: Json | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  return value;
}
