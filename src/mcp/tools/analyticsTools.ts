import { z } from 'zod';
import { analyticsDeps } from '../../analytics/analyticsDeps.js';
import { QUERY_DESCRIPTION } from '../../analytics/routes/adminAnalyticsRoutes.js';
import { runAnalyticsQuery } from '../../analytics/runAnalyticsQuery.js';
import { runReportNow } from '../../reports/reportRuns.js';
import { listReports } from '../../reports/reportService.js';
import { analyticsQuerySchema, analyticsResultSchema } from '../../wire/analyticsSchemas.js';
import { reportList, reportRunView } from '../../wire/reportSchemas.js';
import { defineMcpTool } from '../defineMcpTool.js';

// The Analytics Hub's services (DESIGN §13): the query engine the admin and Engine APIs run, and saved reports.

export const analyticsQueryTool = defineMcpTool({
  name: 'analytics_query',
  title: 'Run an analytics query',
  description: `${QUERY_DESCRIPTION} Example: {"metrics": ["sessions", "completion_rate"], "dimensions": ["intent"], "range": {"preset": "last_7_days"}, "granularity": "day"}. The answer is a table: columns, then rows of cells in column order.`,
  input: analyticsQuerySchema,
  output: analyticsResultSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  hints: { validation_failed: 'Change the metrics, dimensions or filters the message names, then call again.' },
  run: async ({ ctx, auth }, args) => runAnalyticsQuery(analyticsDeps(ctx), auth.tenantId, args),
});

export const reportsListTool = defineMcpTool({
  name: 'reports_list',
  title: 'List saved reports',
  description:
    "The tenant's saved Analytics Hub reports: id, name, their query definition (the same shape analytics_query takes), schedule and pin. Run one with reports_run.",
  input: z.object({}),
  output: reportList,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ ctx, auth }) => ({ reports: await listReports(ctx, auth.tenantId) }),
});

export const reportsRunTool = defineMcpTool({
  name: 'reports_run',
  title: 'Run a saved report',
  description:
    'Runs a saved report now and stores the run (as the admin panel\'s "Run now" does): the answer has the definition as run and its result table, or status "failed" with the error when the definition cannot run any more.',
  input: z.object({
    reportId: z.string().max(100).describe('The report id (a UUID) from reports_list.'),
  }),
  output: reportRunView,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  hints: { not_found: 'Call reports_list for the ids of this tenant’s reports.' },
  run: async ({ ctx, auth, actor }, args) => {
    const { reportName: _name, ...run } = await runReportNow(
      ctx,
      { tenantId: auth.tenantId, reportId: args.reportId, trigger: 'manual' },
      actor,
    );
    return run;
  },
});
