/** Deepest a request body may nest before anything walks it recursively (serialising, hashing, validating). */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest point of a parsed JSON value and the path to it, found without recursion, so a hostile body nested
 * thousands deep is measured instead of overflowing the stack. The top value is depth 1; each nested object or
 * array adds one.
 */
export function deepestPoint(value: unknown): { depth: number; path: (string | number)[] } {
  // Each item links to its parent instead of copying its path: a chain nested N deep costs O(N), not O(N²).
  interface Item {
    value: unknown;
    depth: number;
    key: string | number | undefined;
    parent: Item | undefined;
  }
  let best: Item = { value, depth: 1, key: undefined, parent: undefined };
  const stack: Item[] = [best];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.depth > best.depth) best = item;
    if (typeof item.value !== 'object' || item.value === null) continue;
    const entries: [string | number, unknown][] = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v])
      : Object.entries(item.value);
    // Pushed last to first, so children are visited in document order and a tie keeps the first deepest path.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: item.depth + 1, key, parent: item });
      }
    }
  }
  const path: (string | number)[] = [];
  for (let at: Item | undefined = best; at?.key !== undefined; at = at.parent) path.push(at.key);
  return { depth: best.depth, path: path.reverse() };
}

/** `variables.a.b[0]` for a path from `deepestPoint`. */
export function formatJsonPath(root: string, path: readonly (string | number)[]): string {
  return path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${key}`), root);
}
