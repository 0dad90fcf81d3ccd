import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { AppError } from '../errors/AppError.js';
import { requireTenant } from '../tenants/tenantStore.js';
import type { ReportFormat } from '../wire/reportSchemas.js';
import { exportRun } from './reportExport.js';
import { runReportNow } from './reportRuns.js';

export interface ReportCommandRequest {
  command: 'report:run';
  reportId: string;
  format: ReportFormat;
  /** Narrows the lookup to one tenant (id or slug); report ids are unique across tenants anyway. */
  tenant?: string;
}

/**
 * `report:run`: runs a saved report now (stored as a `cli` run, audited as the CLI) and prints the run as CSV or
 * JSON — the same bytes as the admin API's export. A run the engine refused is an error here (exit 1).
 */
export async function runReportCommand(ctx: AppContext, request: ReportCommandRequest): Promise<string> {
  const notFound = new AppError('not_found', `no report "${request.reportId}"`);
  if (!isUuid(request.reportId)) throw notFound;
  const tenant = request.tenant !== undefined ? await requireTenant(ctx, request.tenant) : undefined;
  const report = await ctx.kysely
    .selectFrom('reports')
    .select(['id', 'tenant_id'])
    .where('id', '=', request.reportId.toLowerCase())
    .$if(tenant !== undefined, (q) => q.where('tenant_id', '=', tenant!.id))
    .executeTakeFirst();
  if (!report) throw notFound;
  const run = await runReportNow(ctx, { tenantId: report.tenant_id, reportId: report.id, trigger: 'cli' });
  if (run.result === null) throw new AppError('validation_failed', `the report could not run: ${run.error ?? ''}`);
  const file = exportRun(
    { id: run.id, reportName: run.reportName, completedAt: new Date(run.completedAt), result: run.result },
    request.format,
  );
  // The dispatcher ends the output with a newline of its own: after the CSV's last CR, its records all end in CRLF.
  return file.body.replace(/\n$/, '');
}
