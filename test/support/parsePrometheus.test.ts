import { describe, expect, it } from 'vitest';
import { parsePrometheus } from './parsePrometheus.js';

describe('parsePrometheus', () => {
  it('reads families, labels with escapes and special values', () => {
    const e = parsePrometheus(
      [
        '# HELP h A histogram',
        '# TYPE h histogram',
        'h_bucket{le="0.1",route="/a/:id"} 2',
        'h_bucket{le="+Inf",route="/a/:id"} 3',
        'h_sum{route="/a/:id"} 0.25',
        'h_count{route="/a/:id"} 3',
        '# TYPE c counter',
        'c{msg="say \\"hi\\"\\nbye"} 1e3',
        '# TYPE g gauge',
        'g NaN',
        '',
      ].join('\n'),
    );
    expect(e.sum('h_count', { route: '/a/:id' })).toBe(3);
    expect(e.samples.find((s) => s.name === 'c')?.labels.msg).toBe('say "hi"\nbye');
    expect(e.sum('c')).toBe(1000);
    expect(e.types.get('h')).toBe('histogram');
  });

  it.each([
    ['a sample before its TYPE', 'x 1\n'],
    ['an unquoted label', '# TYPE x counter\nx{a=b} 1\n'],
    ['a bad value', '# TYPE x counter\nx 1,5\n'],
    ['a histogram suffix on a counter', '# TYPE x counter\nx_count 1\n'],
    ['no final newline', '# TYPE x counter\nx 1'],
  ])('refuses %s', (_, text) => {
    expect(() => parsePrometheus(text)).toThrow();
  });
});
