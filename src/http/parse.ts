import type { z } from 'zod';
import { AppError } from '../errors/AppError.js';

/** Parses a request part with its wire schema; a shape error is 400 invalid_request listing every issue. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): z.infer<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) {
    const bad = unstorableString(result.data, where);
    if (bad) {
      throw new AppError('invalid_request', `${bad}: text may not contain NUL characters or unpaired surrogates.`, {
        fields: [{ path: bad, rule: 'string', message: 'contains a NUL character or an unpaired UTF-16 surrogate' }],
      });
    }
    return result.data;
  }
  const fields = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    rule: issue.code,
    message: issue.message,
  }));
  const message =
    where === 'body' && (value === undefined || value === null)
      ? 'A JSON body is required.'
      : `Invalid ${where}: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`;
  throw new AppError('invalid_request', message, { fields });
}

// PostgreSQL text and jsonb cannot hold U+0000 or a lone surrogate (JSON allows both as escapes).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (or object key) the database could not store, if any. */
export function unstorableString(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableString(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return `${path}.${key.replace(UNSTORABLE, '?')}`;
    const found = unstorableString(child, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
