import type { JsonObject } from '../engine/types.js';
import type { FieldIssue } from '../errors/AppError.js';
import { deepestPoint, formatJsonPath } from '../http/jsonDepth.js';

export const VARIABLE_KEY = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_VARIABLE_KEYS = 50;
export const MAX_VARIABLE_BYTES = 4096;
export const MAX_VARIABLE_DEPTH = 4;

/**
 * Checks the bounds of DESIGN §4 on a variables object: snake_case top-level keys, ≤ 50 keys, ≤ 4,096 bytes of
 * compact UTF-8 JSON, nesting depth ≤ 4 (the top object is depth 1; each nested object or array adds one).
 * `allowNull` lets a message send `null` to delete a key; the merged result is checked without it.
 */
export function checkVariables(value: unknown, path = 'variables', allowNull = false): FieldIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, rule: 'type', message: 'must be a JSON object' }];
  }
  const issues: FieldIssue[] = [];
  const keys = Object.keys(value);
  for (const key of keys) {
    if (!VARIABLE_KEY.test(key)) {
      issues.push({
        path: `${path}.${key}`,
        rule: 'key_format',
        message: 'keys must be snake_case: ^[a-z][a-z0-9_]{0,63}$',
      });
    }
    const v = (value as Record<string, unknown>)[key];
    if (v === null && !allowNull) issues.push({ path: `${path}.${key}`, rule: 'type', message: 'null is not a value' });
  }
  if (keys.length > MAX_VARIABLE_KEYS) {
    issues.push({ path, rule: 'max_keys', message: `at most ${MAX_VARIABLE_KEYS} keys (got ${keys.length})` });
  }
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_VARIABLE_BYTES) {
    issues.push({
      path,
      rule: 'max_bytes',
      message: `at most ${MAX_VARIABLE_BYTES} bytes as compact JSON (got ${bytes})`,
    });
  }
  const deepest = deepestPoint(value);
  if (deepest.depth > MAX_VARIABLE_DEPTH) {
    issues.push({
      path: formatJsonPath(path, deepest.path),
      rule: 'max_depth',
      message: `nesting depth must be at most ${MAX_VARIABLE_DEPTH}`,
    });
  }
  return issues;
}

/** Shallow merge where `null` deletes a key. */
export function mergeVariables(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * A request's `variables` applied to the conversation's: the patch is checked as sent (`null` deletes a key), and
 * when it passes, the merged result is checked against the same bounds.
 */
export function applyVariables(current: JsonObject, patch: unknown): { variables: JsonObject; issues: FieldIssue[] } {
  const issues = checkVariables(patch, 'variables', true);
  if (issues.length > 0) return { variables: current, issues };
  const variables = mergeVariables(current, patch as JsonObject);
  return { variables, issues: checkVariables(variables) };
}
