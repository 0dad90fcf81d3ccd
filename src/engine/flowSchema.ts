// The flow file format (§5.1). Every object is strict, so a misspelt key is an error rather than a silent no-op.
import { z } from 'zod';
import { INTENT_NAME_PATTERN, portNameSchema } from './nodes/common.js';
import { nodeSchema } from './nodes/index.js';

export { INTENT_NAME_PATTERN } from './nodes/common.js';
export const MAX_NODES = 500;
export const MAX_EDGES = 2_000;

export const intentSchema = z.strictObject({
  name: z.string().regex(INTENT_NAME_PATTERN, 'must be snake_case: ^[a-z][a-z0-9_]{0,63}$'),
  description: z.string().min(1).max(500),
  examples: z.array(z.string().min(1).max(500)).max(50).default([]),
  required_entities: z.array(z.string().min(1).max(64)).max(20).default([]),
});

export const edgeSchema = z.strictObject({
  from: z.string().min(1).max(64),
  to: z.string().min(1).max(64),
  port: portNameSchema.optional(),
});

export const flowSettingsSchema = z.strictObject({
  /** How long an input wait stays open before the execution aborts with `wait_expired` (§7). */
  waitExpiresSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .optional(),
});

/** The admin canvas's node positions (§5.1): kept with the flow, ignored by the engine and by flow comparisons. */
export const layoutSchema = z
  .record(z.string().min(1).max(64), z.strictObject({ x: z.number(), y: z.number() }))
  .refine((layout) => Object.keys(layout).length <= MAX_NODES, `at most ${MAX_NODES} positions`);

const startSchema = z.string({
  error: (issue) => (issue.input === undefined ? 'start is missing' : 'must be a node id'),
});

export const flowSchema = z.strictObject({
  intent: intentSchema,
  start: startSchema.min(1).max(64),
  nodes: z.array(nodeSchema).min(1).max(MAX_NODES),
  edges: z.array(edgeSchema).max(MAX_EDGES).default([]),
  settings: flowSettingsSchema.optional(),
  layout: layoutSchema.optional(),
});

export type FlowDefinition = z.infer<typeof flowSchema>;
export type FlowEdge = z.infer<typeof edgeSchema>;
export type FlowIntent = z.infer<typeof intentSchema>;

/** The flow with nodes left unchecked, so validateFlow can check each node against its own type's schema. */
export const flowEnvelopeSchema = flowSchema.extend({ nodes: z.array(z.unknown()).min(1).max(MAX_NODES) });
