import { stringify } from 'csv-stringify/sync';
import type { AnalyticsResult } from '../wire/analyticsSchemas.js';
import type { ReportFormat } from '../wire/reportSchemas.js';

/**
 * A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe:
 * dimension values such as page types come from visitors' browsers (OWASP "CSV injection"). Numbers are untouched.
 */
function neutralised(cell: string | number | null): string | number {
  if (cell === null) return '';
  if (typeof cell === 'number') return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** A run's result as RFC 4180 CSV (CRLF records, quoted where needed), the column names as its header. */
export function resultToCsv(result: AnalyticsResult): string {
  return stringify(
    result.rows.map((row) => row.map(neutralised)),
    {
      header: true,
      columns: result.columns.map((c) => c.name),
      record_delimiter: 'windows',
      cast: { number: (value) => String(value) },
    },
  );
}

/** The body, content type and file name of a run's export. */
export function exportRun(
  run: { id: string; reportName: string; completedAt: Date; result: AnalyticsResult },
  format: ReportFormat,
): { body: string; headers: Record<string, string> } {
  const stamp = run.completedAt.toISOString().slice(0, 19).replaceAll(':', '-');
  const base = `${run.reportName.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'report'}-${stamp}`;
  const body = format === 'csv' ? resultToCsv(run.result) : `${JSON.stringify(run.result, null, 2)}\n`;
  return {
    body,
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${base}.${format}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  };
}
