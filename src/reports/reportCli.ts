import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { UsageError } from '../cli/UsageError.js';
import { REPORT_FORMATS, type ReportFormat } from '../wire/reportSchemas.js';

/** `report:run` (DESIGN §13): a saved report, run now, on stdout. */
export function addReportCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('report:run')
    .description('Run a saved report now (the run is stored) and print it as CSV (RFC 4180) or JSON')
    .argument('<id>', 'the report id')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(' or ')}`, 'csv')
    .option('--tenant <idOrSlug>', 'only a report of this tenant')
    .action((id: string, o: { format: string; tenant?: string }) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(o.format)) {
        throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
      }
      return dispatch({
        command: 'report:run',
        reportId: id,
        format: o.format as ReportFormat,
        ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
      });
    });
}
