/** The strings that must never appear in an error message or excerpt: each secret in the forms it travels in. */
export function secretVariants(secrets: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    out.add(s);
    out.add(encodeURIComponent(s));
    out.add(new URLSearchParams({ s }).toString().slice(2));
    out.add(JSON.stringify(s).slice(1, -1));
  }
  // Longest first, so a secret that contains another is blanked whole.
  return [...out].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  return out;
}

/** A short, single-line, secret-free excerpt of a response body for error messages. */
export function excerpt(body: string, secrets: string[], max = 200): string {
  const clean = redact(body, secrets)
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
