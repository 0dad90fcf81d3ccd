import { describe, expect, it } from 'vitest';
import { chartSeries, splitValues } from '../../web/admin/src/analytics/chartSeries.js';
import { definitionOf, draftOf, emptyDraft } from '../../web/admin/src/analytics/draft.js';
import { withoutPrefix } from '../../web/admin/src/ui/problems.js';

describe('chart series from an analytics result', () => {
  it('with buckets: one point per bucket, one series per metric and dimension combination, null kept', () => {
    const series = chartSeries({
      columns: [
        { name: 'bucket', kind: 'bucket' },
        { name: 'intent', kind: 'dimension' },
        { name: 'executions', kind: 'metric' },
        { name: 'completion_rate', kind: 'metric' },
      ],
      rows: [
        ['2026-11-03', 'returns', 2, 0.5],
        ['2026-11-02', 'order_status', 3, null],
        ['2026-11-03', null, 1, 1],
      ],
    });
    expect(series.overTime).toBe(true);
    expect(series.series).toEqual([
      'executions · returns',
      'completion_rate · returns',
      'executions · order_status',
      'completion_rate · order_status',
      'executions · (none)',
      'completion_rate · (none)',
    ]);
    expect(series.points).toEqual([
      { x: '2026-11-02', 'executions · order_status': 3, 'completion_rate · order_status': null },
      {
        x: '2026-11-03',
        'executions · returns': 2,
        'completion_rate · returns': 0.5,
        'executions · (none)': 1,
        'completion_rate · (none)': 1,
      },
    ]);
  });

  it('without buckets: one category per combination (or "Total"), one series per metric', () => {
    expect(
      chartSeries({
        columns: [
          { name: 'model', kind: 'dimension' },
          { name: 'total_tokens', kind: 'metric' },
        ],
        rows: [
          ['gpt-4o-mini', 120],
          [null, 0],
        ],
      }),
    ).toEqual({
      overTime: false,
      series: ['total_tokens'],
      points: [
        { x: 'gpt-4o-mini', total_tokens: 120 },
        { x: '(none)', total_tokens: 0 },
      ],
    });
    expect(chartSeries({ columns: [{ name: 'sessions', kind: 'metric' }], rows: [[7]] }).points).toEqual([
      { x: 'Total', sessions: 7 },
    ]);
  });

  it('filter values split on commas and lines, trimmed, without empties or repeats', () => {
    expect(splitValues(' product, cart,\nproduct,, ')).toEqual(['product', 'cart']);
  });
});

describe('the builder’s draft and the query definition', () => {
  it('leaves out empty filters and the tenant’s zone, and round-trips a saved definition', () => {
    const draft = {
      ...emptyDraft('2026-12-03'),
      metrics: ['sessions' as const, 'revenue' as const],
      filters: { flow: '', intent: 'returns, order_status', key: ' ', page_type: '', model: '' },
    };
    expect(definitionOf(draft)).toEqual({
      metrics: ['sessions', 'revenue'],
      dimensions: [],
      filters: { intent: ['returns', 'order_status'] },
      range: { preset: 'last_30_days' },
      granularity: 'day',
    });
    const absolute = definitionOf({
      ...draft,
      rangeKind: 'absolute',
      from: '2026-11-01',
      to: '2026-11-30',
      granularity: '',
      timeZone: ' Europe/Paris ',
    });
    expect(absolute).toMatchObject({ range: { from: '2026-11-01', to: '2026-11-30' }, timeZone: 'Europe/Paris' });
    expect(absolute).not.toHaveProperty('granularity');
    expect(definitionOf(draftOf(absolute, '2026-12-03'))).toEqual(absolute);
  });
});

describe('a saved report’s 422 beside the builder’s inputs', () => {
  it('takes `definition.` off the paths and keeps the rest', () => {
    const problem = {
      code: 'validation_failed',
      status: 422,
      message: 'x',
      details: {
        fields: [
          { path: 'definition.dimensions', message: 'a' },
          { path: 'name', message: 'b' },
        ],
      },
    };
    expect(withoutPrefix(problem, 'definition.')?.details).toEqual({
      fields: [
        { path: 'dimensions', message: 'a' },
        { path: 'name', message: 'b' },
      ],
    });
    expect(withoutPrefix(undefined, 'definition.')).toBeUndefined();
  });
});
