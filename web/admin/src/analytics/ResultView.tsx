import { useId, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { type ChartSeries, chartSeries, dimensionLabel, type ResultTable } from './chartSeries.js';

// Eight colours that stay apart for common colour-vision deficiencies (Okabe–Ito), then they repeat.
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/**
 * A query's answer as a chart (line over time buckets, bars otherwise) or a table. The table is always in the page:
 * in chart mode it is visually hidden and named as the chart's description, so a screen reader gets the numbers.
 */
export function ResultView({
  result,
  label,
  format,
}: {
  result: ResultTable;
  label: string;
  /** How a metric cell is written in the table (e.g. µUSD as dollars); the chart keeps the raw numbers. */
  format?: (column: string, value: number) => string;
}) {
  const [mode, setMode] = useState<'chart' | 'table'>('chart');
  const tableId = useId();
  const data = chartSeries(result);
  return (
    <div className="result">
      <fieldset className="view-toggle">
        <legend className="sr-only">Show {label} as</legend>
        <label className="check">
          <input type="radio" name={`${tableId}-mode`} checked={mode === 'chart'} onChange={() => setMode('chart')} />
          Chart
        </label>
        <label className="check">
          <input type="radio" name={`${tableId}-mode`} checked={mode === 'table'} onChange={() => setMode('table')} />
          Table
        </label>
      </fieldset>
      {mode === 'chart' ? (
        result.rows.length === 0 ? (
          <p className="state empty">No data in this range.</p>
        ) : (
          <figure className="chart" role="img" aria-label={`Chart: ${label}`} aria-describedby={tableId}>
            <Chart data={data} />
          </figure>
        )
      ) : null}
      <div className={mode === 'chart' ? 'sr-only' : 'scroll'} id={tableId}>
        <ResultGrid result={result} label={label} {...(format ? { format } : {})} />
      </div>
    </div>
  );
}

function Chart({ data }: { data: ChartSeries }) {
  const common = { data: data.points, margin: { top: 8, right: 16, bottom: 8, left: 8 } };
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" />,
    <XAxis key="x" dataKey="x" />,
    <YAxis key="y" allowDecimals />,
    <Tooltip key="tip" />,
    <Legend key="legend" />,
  ];
  return (
    <ResponsiveContainer width="100%" height={280}>
      {data.overTime ? (
        <LineChart {...common}>
          {axes}
          {data.series.map((name, i) => (
            <Line
              key={name}
              dataKey={name}
              name={name}
              type="monotone"
              stroke={COLOURS[i % COLOURS.length]}
              strokeWidth={2}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      ) : (
        <BarChart {...common}>
          {axes}
          {data.series.map((name, i) => (
            <Bar key={name} dataKey={name} name={name} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      )}
    </ResponsiveContainer>
  );
}

/** The answer's rows as they come (the same order and cells as the CSV export). */
export function ResultGrid({
  result,
  label,
  format,
}: {
  result: ResultTable;
  label: string;
  format?: (column: string, value: number) => string;
}) {
  if (result.rows.length === 0) return <p className="state empty">No rows.</p>;
  return (
    <table className="list result-table" aria-label={label}>
      <thead>
        <tr>
          {result.columns.map((c) => (
            <th scope="col" key={c.name} className={c.kind === 'metric' ? 'num' : undefined}>
              {c.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {result.rows.map((row, r) => (
          // Rows have no id of their own; the answer's order is stable for one answer.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <tr key={r}>
            {result.columns.map((c, i) => {
              const cell = row[i] ?? null;
              return (
                <td key={c.name} data-column={c.name} className={c.kind === 'metric' ? 'num' : undefined}>
                  {c.kind === 'metric'
                    ? cell === null
                      ? '—'
                      : typeof cell === 'number' && format
                        ? format(c.name, cell)
                        : String(cell)
                    : c.kind === 'dimension'
                      ? dimensionLabel(cell)
                      : String(cell)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
