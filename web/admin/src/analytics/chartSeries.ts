// Pure (no DOM): how an analytics result (a flat table, DESIGN §13) becomes chart series. Unit-tested outside the
// browser, so the chart and the table are sure to show the same numbers.

export type Cell = string | number | null;

export interface ResultTable {
  columns: { name: string; kind: 'bucket' | 'dimension' | 'metric' }[];
  rows: Cell[][];
}

export interface ChartSeries {
  /** One point per bucket (or per dimension combination without buckets): `x` and one value per series. */
  points: Record<string, Cell>[];
  /** Series names, in a stable order: `metric` alone, or `metric · dimension values` when the rows are split. */
  series: string[];
  /** Whether `x` is a time bucket (a line reads well) or a category (bars read better). */
  overTime: boolean;
}

/** A dimension cell as a label: `null` is shown as "(none)" so a chat without page type still has a name. */
export function dimensionLabel(value: Cell): string {
  return value === null ? '(none)' : String(value);
}

/**
 * With buckets, `x` is the bucket and each metric × dimension combination is a series (missing combinations stay
 * absent, not zero: the engine only answers combinations that have data). Without buckets, `x` is the combination
 * and each metric is a series.
 */
export function chartSeries(result: ResultTable): ChartSeries {
  const bucketAt = result.columns.findIndex((c) => c.kind === 'bucket');
  const dims = result.columns.flatMap((c, i) => (c.kind === 'dimension' ? [i] : []));
  const metrics = result.columns.flatMap((c, i) => (c.kind === 'metric' ? [i] : []));
  const comboOf = (row: Cell[]) => dims.map((i) => dimensionLabel(row[i] ?? null)).join(' · ');
  const series: string[] = [];
  const add = (name: string) => {
    if (!series.includes(name)) series.push(name);
  };

  if (bucketAt < 0) {
    for (const i of metrics) add(result.columns[i]!.name);
    const points = result.rows.map((row) => {
      const point: Record<string, Cell> = { x: dims.length > 0 ? comboOf(row) : 'Total' };
      for (const i of metrics) point[result.columns[i]!.name] = row[i] ?? null;
      return point;
    });
    return { points, series, overTime: false };
  }

  const byBucket = new Map<string, Record<string, Cell>>();
  for (const row of result.rows) {
    const bucket = String(row[bucketAt]);
    const point = byBucket.get(bucket) ?? { x: bucket };
    byBucket.set(bucket, point);
    const combo = comboOf(row);
    for (const i of metrics) {
      const name = combo ? `${result.columns[i]!.name} · ${combo}` : result.columns[i]!.name;
      add(name);
      point[name] = row[i] ?? null;
    }
  }
  const points = [...byBucket.values()].sort((a, b) => String(a.x).localeCompare(String(b.x)));
  return { points, series, overTime: true };
}

/** Comma- or line-separated filter values as the query takes them: trimmed, no empties, no repeats. */
export function splitValues(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    ),
  ];
}
