import { z } from 'zod';
import { AppError } from '../../errors/AppError.js';
import { defineRoute } from '../../http/defineRoute.js';
import { exportRun } from '../../reports/reportExport.js';
import { getReportRun, listReportRuns, runReportNow } from '../../reports/reportRuns.js';
import {
  createReport,
  deleteReport,
  deleteReportSchedule,
  getReport,
  listReports,
  pinReport,
  reorderPinnedReports,
  setReportSchedule,
  unpinReport,
  updateReport,
} from '../../reports/reportService.js';
import { adminIdParams } from '../../wire/adminSchemas.js';
import {
  createReportBody,
  exportQuery,
  pinOrderBody,
  REPORT_FORMATS,
  reportList,
  reportRunList,
  reportRunParams,
  reportRunView,
  reportScheduleBody,
  reportView,
  updateReportBody,
} from '../../wire/reportSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const REPORTS = `${ADMIN_BASE}/reports`;
const TAGS = ['Admin: analytics hub'];

export const listReportsRoute = defineRoute({
  method: 'GET',
  path: REPORTS,
  operationId: 'adminListReports',
  summary: 'Saved reports: the pinned ones first, in dashboard order',
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The reports', schema: reportList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { reports: await listReports(ctx, auth.tenantId) },
    headers: NO_STORE,
  }),
});

export const createReportRoute = defineRoute({
  method: 'POST',
  path: REPORTS,
  operationId: 'adminCreateReport',
  summary: 'Save a report: a name and an analytics query definition, optionally a schedule',
  description:
    'The definition is the body of `POST /api/admin/v1/analytics/query` ([Analytics Hub](analytics-hub.md)).',
  tags: TAGS,
  auth: 'admin',
  body: createReportBody,
  response: { status: 201, description: 'The report', schema: reportView },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: await createReport(
      ctx,
      {
        tenantId: auth.tenantId,
        name: body.name,
        definition: body.definition,
        ...(body.schedule ? { schedule: body.schedule } : {}),
      },
      adminActor(auth),
    ),
    headers: NO_STORE,
  }),
});

export const getReportRoute = defineRoute({
  method: 'GET',
  path: `${REPORTS}/{id}`,
  operationId: 'adminGetReport',
  summary: 'A saved report with its schedule',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The report', schema: reportView },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await getReport(ctx, auth.tenantId, params.id),
    headers: NO_STORE,
  }),
});

export const updateReportRoute = defineRoute({
  method: 'PATCH',
  path: `${REPORTS}/{id}`,
  operationId: 'adminUpdateReport',
  summary: 'Rename a report or change its definition',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  body: updateReportBody,
  response: { status: 200, description: 'The report', schema: reportView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await updateReport(ctx, auth.tenantId, params.id, body, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const deleteReportRoute = defineRoute({
  method: 'DELETE',
  path: `${REPORTS}/{id}`,
  operationId: 'adminDeleteReport',
  summary: 'Delete a report with its schedule and runs',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 204, description: 'Deleted' },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    await deleteReport(ctx, auth.tenantId, params.id, adminActor(auth));
    return { status: 204, body: undefined, headers: NO_STORE };
  },
});

export const runReportRoute = defineRoute({
  method: 'POST',
  path: `${REPORTS}/{id}/run`,
  operationId: 'adminRunReport',
  summary: 'Run a report now; the run is stored with its result',
  description: 'A definition the engine refuses gives a stored `failed` run (with its error), not an error answer.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 201, description: 'The run', schema: reportRunView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    const { reportName: _name, ...run } = await runReportNow(
      ctx,
      { tenantId: auth.tenantId, reportId: params.id, trigger: 'manual' },
      adminActor(auth),
    );
    return { status: 201, body: run, headers: NO_STORE };
  },
});

export const listReportRunsRoute = defineRoute({
  method: 'GET',
  path: `${REPORTS}/{id}/runs`,
  operationId: 'adminListReportRuns',
  summary: "A report's runs, newest first (without their results)",
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
  response: { status: 200, description: 'The runs', schema: reportRunList },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: { runs: await listReportRuns(ctx, auth.tenantId, params.id, query.limit ?? 50) },
    headers: NO_STORE,
  }),
});

export const getReportRunRoute = defineRoute({
  method: 'GET',
  path: `${REPORTS}/{id}/runs/{runId}`,
  operationId: 'adminGetReportRun',
  summary: 'One run with its result',
  tags: TAGS,
  auth: 'admin',
  params: reportRunParams,
  response: { status: 200, description: 'The run', schema: reportRunView },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    const { reportName: _name, ...run } = await getReportRun(ctx, auth.tenantId, params.id, params.runId);
    return { status: 200, body: run, headers: NO_STORE };
  },
});

export const exportReportRunRoute = defineRoute({
  method: 'GET',
  path: `${REPORTS}/{id}/runs/{runId}/export`,
  operationId: 'adminExportReportRun',
  summary: 'Download a run as CSV (RFC 4180, header row) or JSON, as an attachment',
  tags: TAGS,
  auth: 'admin',
  params: reportRunParams,
  query: exportQuery,
  response: { status: 200, description: `The file (${REPORT_FORMATS.join(' or ')})`, contentType: 'text/csv' },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => {
    const run = await getReportRun(ctx, auth.tenantId, params.id, params.runId);
    if (run.result === null) throw new AppError('not_found', `run "${run.id}" failed: it has nothing to export`);
    const file = exportRun(
      { id: run.id, reportName: run.reportName, completedAt: new Date(run.completedAt), result: run.result },
      query.format,
    );
    return { status: 200, body: file.body, headers: file.headers };
  },
});

export const setReportScheduleRoute = defineRoute({
  method: 'PUT',
  path: `${REPORTS}/{id}/schedule`,
  operationId: 'adminSetReportSchedule',
  summary: 'Schedule a report (cron expression and IANA time zone), or change or disable its schedule',
  description:
    'Each run is stored and announced by the `report.ready` webhook with a signed link to the run in `format`.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  body: reportScheduleBody.extend({ format: z.enum(REPORT_FORMATS).default('csv') }),
  response: { status: 200, description: 'The report', schema: reportView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await setReportSchedule(ctx, auth.tenantId, params.id, body, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const deleteReportScheduleRoute = defineRoute({
  method: 'DELETE',
  path: `${REPORTS}/{id}/schedule`,
  operationId: 'adminDeleteReportSchedule',
  summary: "Remove a report's schedule",
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The report', schema: reportView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await deleteReportSchedule(ctx, auth.tenantId, params.id, adminActor(auth)),
    headers: NO_STORE,
  }),
});

function pinRoute(pinned: boolean) {
  return defineRoute({
    method: 'POST',
    path: `${REPORTS}/{id}/${pinned ? 'pin' : 'unpin'}`,
    operationId: pinned ? 'adminPinReport' : 'adminUnpinReport',
    summary: pinned ? 'Pin a report to the end of the dashboard' : 'Take a report off the dashboard',
    tags: TAGS,
    auth: 'admin',
    params: adminIdParams,
    response: { status: 200, description: 'The report', schema: reportView },
    errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
    handler: async ({ ctx, auth, params }) => ({
      status: 200,
      body: await (pinned ? pinReport : unpinReport)(ctx, auth.tenantId, params.id, adminActor(auth)),
      headers: NO_STORE,
    }),
  });
}

export const pinReportRoute = pinRoute(true);
export const unpinReportRoute = pinRoute(false);

export const reorderPinnedReportsRoute = defineRoute({
  method: 'PUT',
  path: `${REPORTS}/pinned`,
  operationId: 'adminReorderPinnedReports',
  summary: 'Reorder the dashboard: every pinned report, each once, in the new order',
  tags: TAGS,
  auth: 'admin',
  body: pinOrderBody,
  response: { status: 200, description: 'The pinned reports in their new order', schema: reportList },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => ({
    status: 200,
    body: { reports: await reorderPinnedReports(ctx, auth.tenantId, body.reportIds, adminActor(auth)) },
    headers: NO_STORE,
  }),
});
