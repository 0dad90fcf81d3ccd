import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/lib/load.js';
import {
  CEILING,
  interval95,
  median,
  pooledLogSd,
  type RoundRecord,
  repeatTables,
  rotate,
  roundOrder,
  verdictOf,
} from '../../bench/lib/repeat.js';

describe('bench --repeat statistics', () => {
  it('orders rounds so that every two rounds each pair of units runs once each way, all six orders in six', () => {
    const units = ['ceiling', 'after', 'before'];
    const orders = [0, 1, 2, 3, 4, 5].map((r) => roundOrder(units, r));
    expect(orders).toEqual([
      ['ceiling', 'after', 'before'],
      ['before', 'after', 'ceiling'],
      ['after', 'before', 'ceiling'],
      ['ceiling', 'before', 'after'],
      ['before', 'ceiling', 'after'],
      ['after', 'ceiling', 'before'],
    ]);
    for (let r = 0; r < 6; r += 2) {
      const first = (o: string[]) => o.indexOf('after') < o.indexOf('before');
      expect(first(orders[r]!)).not.toBe(first(orders[r + 1]!));
    }
    expect(rotate(units, 4)).toEqual(['after', 'before', 'ceiling']);
    expect(units).toEqual(['ceiling', 'after', 'before']);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('gives a 95 % interval of the geometric mean only from two rounds on', () => {
    expect(interval95([1.1])).toBeUndefined();
    const ci = interval95([1.1, 1.1, 1.1])!;
    expect(ci.low).toBeCloseTo(1.1);
    expect(ci.high).toBeCloseTo(1.1);
    // Two rounds 1.0 and 1.2: t(1) = 12.706 makes the interval span 1 widely.
    const wide = interval95([1.0, 1.2])!;
    expect(wide.low).toBeLessThan(1);
    expect(wide.high).toBeGreaterThan(1.5);
  });

  it('does not let two rounds that agree by chance claim less spread than the scenarios pooled', () => {
    // Two rounds 1.45× and 1.47× alone make an interval above 1; with the other rows' spread as a floor they do not.
    expect(verdictOf([1.45, 1.47], false)).toBe('faster');
    const pooled = pooledLogSd([
      [1.45, 1.47],
      [0.34, 1.29],
      [1.15, 1.27],
      [0.89, 1.17],
    ])!;
    expect(pooled).toBeGreaterThan(0.3);
    expect(verdictOf([1.45, 1.47], false, pooled)).toBe('no change beyond spread');
    // A consistent change over six rounds still shows through a moderate pooled spread.
    expect(verdictOf([1.2, 1.25, 1.18, 1.22, 1.3, 1.21], false, 0.05)).toBe('faster');
  });

  it('says faster or slower only when the interval excludes 1', () => {
    expect(verdictOf([1.08, 1.1, 1.12, 1.09, 1.11], false)).toBe('faster');
    expect(verdictOf([0.9, 0.92, 0.91, 0.89, 0.9], false)).toBe('slower');
    expect(verdictOf([0.95, 1.05, 1.0, 0.98, 1.03], false)).toBe('no change beyond spread');
    expect(verdictOf([1.3, 1.6], false)).toBe('no change beyond spread');
    expect(verdictOf([1.2], false)).toBe('n/a (one round)');
    expect(verdictOf([1.1, 1.1, 1.1], true)).toBe('failed requests: no verdict');
  });

  it('tabulates per-round ratios against the ceiling beside them, and after ÷ before', () => {
    const load = (rps: number, p99: number): LoadResult => ({
      requests: rps * 10,
      seconds: 10,
      rps,
      latency: { p50: 1, p90: 1, p99, max: p99, mean: 1 },
      errors: 0,
      non2xx: 0,
      timeouts: 0,
      mismatches: 0,
      statusCodes: { '200': rps * 10 },
    });
    const row = (rps: number, p99 = 10) => ({ key: 'turn' as const, name: 'x', built: true, load: load(rps, p99) });
    const records: RoundRecord[] = [
      // The ceiling moves 2× between rounds; the ratios to it do not.
      { step: 'turn', round: 0, order: [], rows: { [CEILING]: row(1000), after: row(600), before: row(500) } },
      { step: 'turn', round: 1, order: [], rows: { [CEILING]: row(2000), after: row(1210), before: row(1000) } },
      { step: 'turn', round: 2, order: [], rows: { [CEILING]: row(1500), after: row(895), before: row(750) } },
    ];
    const md = repeatTables(records, [
      { label: 'after', root: '/a' },
      { label: 'before', root: '/b' },
    ]);
    expect(md).toContain('| turn pair (trigger + resume) | 1,500 (1,000–2,000) |');
    expect(md).toContain('60 % (60 %–61 %)');
    expect(md).toContain('50 % (50 %–50 %)');
    expect(md).toContain('1.20× (1.19×–1.21×)');
    expect(md).toContain('**faster**');
  });
});
