import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors/AppError.js';
import { resolveRange } from './resolveRange.js';
import { median } from './runAnalyticsQuery.js';

// 2026-03-01 02:30 UTC: still February 28th in New York, already March 1st in Kolkata.
const NOW = new Date('2026-03-01T02:30:00Z');

/** The message of the first field issue of the validation error `fn` throws. */
function issue(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const fields = (error as AppError).details?.fields as { message: string }[] | undefined;
    return String(fields?.[0]?.message);
  }
  return 'nothing thrown';
}

describe('resolveRange', () => {
  it('resolves presets against today in the zone', () => {
    expect(resolveRange({ preset: 'today' }, 'UTC', NOW)).toEqual({ from: '2026-03-01', to: '2026-03-02' });
    expect(resolveRange({ preset: 'today' }, 'America/New_York', NOW)).toEqual({
      from: '2026-02-28',
      to: '2026-03-01',
    });
    expect(resolveRange({ preset: 'yesterday' }, 'Asia/Kolkata', NOW)).toEqual({
      from: '2026-02-28',
      to: '2026-03-01',
    });
    expect(resolveRange({ preset: 'last_7_days' }, 'UTC', NOW)).toEqual({ from: '2026-02-23', to: '2026-03-02' });
    expect(resolveRange({ preset: 'this_month' }, 'America/New_York', NOW)).toEqual({
      from: '2026-02-01',
      to: '2026-03-01',
    });
    expect(resolveRange({ preset: 'last_month' }, 'UTC', NOW)).toEqual({ from: '2026-02-01', to: '2026-03-01' });
    expect(resolveRange({ preset: 'last_month' }, 'UTC', new Date('2026-01-15T00:00:00Z'))).toEqual({
      from: '2025-12-01',
      to: '2026-01-01',
    });
  });

  it('takes absolute days inclusive and refuses backwards, too long, or too many hours', () => {
    expect(resolveRange({ from: '2026-02-27', to: '2026-02-28' }, 'UTC', NOW)).toEqual({
      from: '2026-02-27',
      to: '2026-03-01',
    });
    expect(issue(() => resolveRange({ from: '2026-03-02', to: '2026-03-01' }, 'UTC', NOW))).toMatch(/forwards/);
    expect(issue(() => resolveRange({ from: '2000-01-01', to: '2026-03-01' }, 'UTC', NOW))).toMatch(/at most/);
    expect(() => resolveRange({ preset: 'last_90_days' }, 'UTC', NOW, 'hour')).not.toThrow();
    expect(issue(() => resolveRange({ from: '2026-01-01', to: '2026-06-01' }, 'UTC', NOW, 'hour'))).toMatch(/Hourly/);
  });
});

describe('median', () => {
  it('is percentile_cont(0.5) over value → count', () => {
    expect(median(new Map())).toBeNull();
    expect(median(new Map([[7, 1]]))).toBe(7);
    expect(
      median(
        new Map([
          [1, 1],
          [3, 1],
        ]),
      ),
    ).toBe(2);
    expect(
      median(
        new Map([
          [1, 2],
          [10, 1],
        ]),
      ),
    ).toBe(1);
    expect(
      median(
        new Map([
          [5, 2],
          [1, 2],
          [9, 0],
        ]),
      ),
    ).toBe(3);
  });
});
