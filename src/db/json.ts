/**
 * jsonb parameters go in as JSON text: node-postgres would turn a JS array into a PostgreSQL array literal,
 * and a string parameter means the same thing on both backends.
 */
export function json(value: unknown): string {
  return JSON.stringify(value);
}
