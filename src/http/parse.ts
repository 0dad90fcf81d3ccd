import type { z } from 'zod';
import { unstorableString } from '../engine/unstorableString.js';
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
