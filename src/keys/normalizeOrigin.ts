/**
 * Serialised origin form used for every comparison: scheme and host lowercased, default port dropped, no path,
 * no trailing slash. Returns undefined for anything that is not a plain http(s) origin (or the literal "null").
 */
export function normalizeOrigin(value: string): string | undefined {
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(value.trim())) return undefined;
  try {
    const url = new URL(value.trim());
    if (url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
