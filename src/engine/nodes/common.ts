// Schema pieces shared by node types.
import { z } from 'zod';
import type { PortSpec } from './types.js';

export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const VAR_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const INTENT_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export const nodeIdSchema = z.string().regex(NODE_ID_PATTERN, 'must match ^[A-Za-z0-9_-]{1,64}$');
export const portNameSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must match ^[A-Za-z0-9_.:-]{1,64}$');
export const varNameSchema = z.string().regex(VAR_NAME_PATTERN, 'must match ^[a-z][a-z0-9_]{0,63}$');
export const expressionSchema = z.string().min(1).max(2_000);
export const templateSchema = z.string().min(1).max(20_000);

/** Nodes that continue on their unnamed default port, or end the execution when it has no edge. */
export const defaultPortOnly: PortSpec = { required: [], allowed: [null] };

/** The `id` and `type` keys every node starts with. */
export function nodeBase<T extends string>(type: T) {
  return { id: nodeIdSchema, type: z.literal(type) };
}
