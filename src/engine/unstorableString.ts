// PostgreSQL text and jsonb cannot hold U+0000 or an unpaired UTF-16 surrogate (JSON allows both as escapes), so
// neither may reach anything the server stores: request input, expression results, job results, a step's result.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Whether PostgreSQL can store this text. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The text with every NUL and unpaired surrogate replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\uFFFD');
}

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
    if (UNSTORABLE.test(key)) return `${path}.${storableText(key).replaceAll('\uFFFD', '?')}`;
    const found = unstorableString(child, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
