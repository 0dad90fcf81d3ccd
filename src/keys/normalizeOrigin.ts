const FORM = /^https?:\/\/[^/?#]+\/?$/i;
/** Origins seen recently and their serialised form: a widget's requests repeat a handful of origins. */
const memo = new Map<string, string | undefined>();
const MEMO_MAX = 1000;

/**
 * Serialised origin form used for every comparison: scheme and host lowercased, default port dropped, no path,
 * no trailing slash. Returns undefined for anything that is not a plain http(s) origin (or the literal "null").
 */
export function normalizeOrigin(value: string): string | undefined {
  if (memo.has(value)) return memo.get(value);
  const origin = parse(value);
  // Only origin-sized values are kept, so hostile headers cannot grow the memo beyond ~256 KB.
  if (value.length > 255) return origin;
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string);
  memo.set(value, origin);
  return origin;
}

function parse(value: string): string | undefined {
  if (!FORM.test(value.trim())) return undefined;
  try {
    const url = new URL(value.trim());
    if (url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
