// URL guard applied to every rendered block URL (§5): only web URLs survive; `link` targets may also be mailto:/tel:.
export type UrlKind = 'web' | 'link';

export const MAX_URL_LENGTH = 2048;

const WEB = new Set(['http:', 'https:']);
const LINK = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** Returns the normalised URL when it is safe to hand to a client, else `null`. */
export function safeUrl(url: string, kind: UrlKind): string | null {
  const trimmed = url.trim();
  // Control characters and inner whitespace are how scheme checks get smuggled past lenient parsers.
  if (trimmed === '' || trimmed.length > MAX_URL_LENGTH || /[\s\p{Cc}]/u.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  const allowed = kind === 'link' ? LINK : WEB;
  if (!allowed.has(parsed.protocol)) return null;
  if (WEB.has(parsed.protocol) && parsed.hostname === '') return null;
  // Hand out the parser's serialisation so every client sees the URL we checked.
  return parsed.href;
}
