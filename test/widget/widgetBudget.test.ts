import { describe, expect, it } from 'vitest';
import { WIDGET_BUDGET_BYTES, widgetBudget, widgetBytes } from '../../web/widget/widgetBudget.js';

// Random characters barely compress, so gzip keeps them about their own size.
const noise = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');

function run(limit: number, bundle: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const hook = widgetBudget(limit).generateBundle as unknown as (
    this: { error(m: string): never; info(m: string): void },
    options: unknown,
    bundle: unknown,
  ) => void;
  try {
    hook.call(
      {
        error: (m) => {
          errors.push(m);
          throw new Error(m);
        },
        info: () => {},
      },
      {},
      bundle,
    );
  } catch {}
  return errors;
}

describe('the widget budget', () => {
  const bundle = {
    'comerix-chat.js': { type: 'chunk' as const, fileName: 'comerix-chat.js', code: noise(20_000) },
    'extra.css': { type: 'asset' as const, fileName: 'extra.css', source: noise(5_000) },
    'comerix-chat.js.map': { type: 'asset' as const, fileName: 'comerix-chat.js.map', source: noise(50_000) },
  };

  it('counts every script and stylesheet, not source maps', () => {
    const bytes = widgetBytes(bundle);
    expect(bytes).toBeGreaterThan(20_000);
    expect(bytes).toBeLessThan(30_000);
  });

  it('is 30 KB, and fails the build above it', () => {
    expect(WIDGET_BUDGET_BYTES).toBe(30 * 1024);
    expect(run(15_000, bundle)).toEqual([expect.stringContaining('over the budget')]);
    expect(run(WIDGET_BUDGET_BYTES, bundle)).toEqual([]);
  });
});
