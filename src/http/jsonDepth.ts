/** Deepest a request body may nest before anything walks it recursively (serialising, hashing, validating). */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest point of a parsed JSON value and the path to it, found without recursion, so a hostile body nested
 * thousands deep is measured instead of overflowing the stack. The top value is depth 1; each nested object or
 * array adds one.
 */
export function deepestPoint(value: unknown): { depth: number; path: (string | number)[] } {
  let best: { depth: number; path: (string | number)[] } = { depth: 1, path: [] };
  const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [{ value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.depth > best.depth) best = { depth: item.depth, path: item.path };
    if (typeof item.value !== 'object' || item.value === null) continue;
    const entries: [string | number, unknown][] = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v])
      : Object.entries(item.value);
    // Pushed last to first, so children are visited in document order and a tie keeps the first deepest path.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: item.depth + 1, path: [...item.path, key] });
      }
    }
  }
  return best;
}

/** `variables.a.b[0]` for a path from `deepestPoint`. */
export function formatJsonPath(root: string, path: readonly (string | number)[]): string {
  return path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${key}`), root);
}
