// Block URLs are checked on the server (docs/blocks.md "URL safety"); the widget checks again before it puts one in
// an href or src, so a bug or a proxy upstream can never smuggle in `javascript:` or `data:`.

/** `web`: http(s) only (images, files, products, markdown links); `link`: also mailto: and tel: (link blocks, card actions). */
export function safeHref(value: string | undefined, kind: 'web' | 'link' = 'web'): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const allowed = kind === 'link' ? ['http:', 'https:', 'mailto:', 'tel:'] : ['http:', 'https:'];
  return allowed.includes(url.protocol) ? url.href : undefined;
}
