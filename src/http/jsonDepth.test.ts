import { describe, expect, it } from 'vitest';
import { deepestPoint, formatJsonPath } from './jsonDepth.js';

describe('deepestPoint', () => {
  it('measures depth and the path to the first deepest point in document order', () => {
    expect(deepestPoint(1)).toEqual({ depth: 1, path: [] });
    expect(deepestPoint({})).toEqual({ depth: 1, path: [] });
    expect(deepestPoint({ a: { b: 1 } })).toEqual({ depth: 2, path: ['a'] });
    expect(deepestPoint({ a: { b: {} }, c: [{ d: { e: 1 } }, { f: { g: {} } }] })).toEqual({
      depth: 5,
      path: ['c', 1, 'f', 'g'],
    });
    // A tie keeps the first.
    expect(deepestPoint({ x: [[]], y: [[]] })).toEqual({ depth: 3, path: ['x', 0] });
    expect(formatJsonPath('variables', ['a', 0, 'b'])).toBe('variables.a[0].b');
  });

  it('walks a chain nested 20,000 deep without recursion, keeping its whole path', () => {
    const deep = JSON.parse(`{"variables":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`);
    const point = deepestPoint(deep);
    expect(point.depth).toBe(20_002);
    expect(point.path).toHaveLength(20_001);
    expect(point.path.slice(0, 3)).toEqual(['variables', 'a', 0]);
  });
});
