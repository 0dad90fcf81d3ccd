import { describe, expect, it } from 'vitest';
import { bundleBudget, firstScreenBytes } from '../../web/admin/bundleBudget.js';

// Random bytes do not compress, so gzip keeps them about their own size.
const noise = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');

describe('the first screen budget', () => {
  const bundle = {
    'index.js': {
      type: 'chunk' as const,
      fileName: 'index.js',
      code: noise(20_000),
      isEntry: true,
      imports: ['vendor.js'],
    },
    'vendor.js': { type: 'chunk' as const, fileName: 'vendor.js', code: noise(20_000), imports: [] },
    'editor.js': { type: 'chunk' as const, fileName: 'editor.js', code: noise(200_000), imports: ['vendor.js'] },
    'index.css': { type: 'asset' as const, fileName: 'index.css', source: noise(5_000) },
  };

  it('counts the entry, what it imports statically and the CSS, not the lazy screens', () => {
    const bytes = firstScreenBytes(bundle);
    expect(bytes).toBeGreaterThan(30_000);
    expect(bytes).toBeLessThan(60_000);
  });

  it('fails the build above the budget and passes under it', () => {
    const run = (limit: number) => {
      const errors: string[] = [];
      const plugin = bundleBudget(limit);
      const hook = plugin.generateBundle as unknown as (
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
    };
    expect(run(30_000)).toEqual([expect.stringContaining('over the budget')]);
    expect(run(300 * 1024)).toEqual([]);
  });
});
