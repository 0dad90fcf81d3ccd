// JSON whose string leaves are templates (an http node's `body`, a task node's `input`). A leaf that is exactly one
// `{{ expr }}` part yields the expression's raw JSON value; any other templated leaf renders as a string.
import { z } from 'zod';
import type { ExpressionSite, NodeRuntime } from './nodes/types.js';
import { hasTemplateParts, parseTemplate } from './templates.js';
import type { Json, JsonObject } from './types.js';

export const MAX_JSON_TEMPLATE_DEPTH = 32;
export const MAX_JSON_TEMPLATE_LENGTH = 100_000;

/** Plain JSON, at most MAX_JSON_TEMPLATE_DEPTH levels deep and MAX_JSON_TEMPLATE_LENGTH characters serialised. */
export const jsonTemplateSchema = z
  .custom<Json>((value) => isJson(value, 0), `must be plain JSON, at most ${MAX_JSON_TEMPLATE_DEPTH} levels deep`)
  .refine((value) => JSON.stringify(value).length <= MAX_JSON_TEMPLATE_LENGTH, {
    message: `must be at most ${MAX_JSON_TEMPLATE_LENGTH} characters as JSON`,
  });

/** Every templated string leaf, for validation. */
export function jsonTemplateSites(value: Json, path: (string | number)[]): ExpressionSite[] {
  if (typeof value === 'string')
    return hasTemplateParts(value) ? [{ path, source: value, kind: 'template' as const }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => jsonTemplateSites(item, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => jsonTemplateSites(item, [...path, key]));
  return [];
}

/**
 * Renders every string leaf. An expression with no value (`undefined`) drops an object key and becomes `null` in an
 * array, as JSON.stringify does; at the root it is returned as `undefined` for the caller to decide.
 */
export async function renderJsonTemplate(value: Json, rt: NodeRuntime): Promise<Json | undefined> {
  if (typeof value === 'string') {
    if (!hasTemplateParts(value)) return value;
    const parts = parseTemplate(value);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === 'expression') return rt.evaluate(only.source);
    return rt.render(value, 'text');
  }
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (const item of value) items.push((await renderJsonTemplate(item, rt)) ?? null);
    return items;
  }
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = await renderJsonTemplate(item, rt);
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  return value;
}

function isJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= MAX_JSON_TEMPLATE_DEPTH || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isJson(item, depth + 1));
}
