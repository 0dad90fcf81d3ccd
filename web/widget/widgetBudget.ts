import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The whole widget (one script, Lit and the SDK inside) may not weigh more than this, gzipped (issue 24). */
export const WIDGET_BUDGET_BYTES = 30 * 1024;

interface OutputItem {
  type: 'chunk' | 'asset';
  fileName: string;
  code?: string;
  source?: string | Uint8Array;
}

/** Gzipped bytes of every script and stylesheet the build emits: an embedding page loads all of them. */
export function widgetBytes(bundle: Record<string, OutputItem>): number {
  let total = 0;
  for (const item of Object.values(bundle)) {
    if (!/\.(m?js|css)$/.test(item.fileName)) continue;
    const content = item.code ?? item.source;
    if (content !== undefined) total += gzipSync(content).length;
  }
  return total;
}

/** Fails the build when the widget grows over the budget, so a heavy dependency cannot slip into shops' pages. */
export function widgetBudget(limit = WIDGET_BUDGET_BYTES): Plugin {
  return {
    name: 'comerix-widget-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const bytes = widgetBytes(bundle as unknown as Record<string, OutputItem>);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      if (bytes > limit) this.error(`The widget is ${kb(bytes)} gzipped, over the budget of ${kb(limit)}.`);
      this.info(`widget: ${kb(bytes)} gzipped (budget ${kb(limit)})`);
    },
  };
}
