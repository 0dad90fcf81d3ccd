import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The first screen (the entry chunk, what it imports statically, and the CSS) may not weigh more, gzipped. */
export const FIRST_SCREEN_BUDGET_BYTES = 300 * 1024;

interface OutputItem {
  type: 'chunk' | 'asset';
  fileName: string;
  code?: string;
  source?: string | Uint8Array;
  isEntry?: boolean;
  imports?: string[];
}

/** Gzipped bytes the browser fetches before the first screen renders: lazy screens are not counted. */
export function firstScreenBytes(bundle: Record<string, OutputItem>): number {
  const seen = new Set<string>();
  const pending = Object.values(bundle)
    .filter((item) => item.type === 'chunk' && item.isEntry)
    .map((item) => item.fileName);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const next of bundle[name]?.imports ?? []) pending.push(next);
  }
  for (const item of Object.values(bundle)) if (item.fileName.endsWith('.css')) seen.add(item.fileName);
  let total = 0;
  for (const name of seen) {
    const item = bundle[name];
    const content = item?.code ?? item?.source;
    if (content !== undefined) total += gzipSync(content).length;
  }
  return total;
}

/** Fails the build when the first screen grows over the budget, so a heavy import cannot slip in unnoticed. */
export function bundleBudget(limit = FIRST_SCREEN_BUDGET_BYTES): Plugin {
  return {
    name: 'comerix-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const bytes = firstScreenBytes(bundle as unknown as Record<string, OutputItem>);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      if (bytes > limit) this.error(`The first screen is ${kb(bytes)} gzipped, over the budget of ${kb(limit)}.`);
      this.info(`first screen: ${kb(bytes)} gzipped (budget ${kb(limit)})`);
    },
  };
}
