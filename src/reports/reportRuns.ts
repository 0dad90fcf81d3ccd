import type { z } from 'zod';
import { analyticsDeps } from '../analytics/analyticsDeps.js';
import { runAnalyticsQuery } from '../analytics/runAnalyticsQuery.js';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { ReportRunTrigger } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { type AnalyticsQuery, type AnalyticsResult, analyticsQuerySchema } from '../wire/analyticsSchemas.js';
import type { reportRunSummary, reportRunView } from '../wire/reportSchemas.js';

export type ReportRunSummary = z.infer<typeof reportRunSummary>;
export type ReportRunView = z.infer<typeof reportRunView>;

const iso = (d: Date | string) => new Date(d).toISOString();
const reportNotFound = (id: string) => new AppError('not_found', `no report "${id}" in this tenant`);
const runNotFound = (id: string) => new AppError('not_found', `no run "${id}" of this report in this tenant`);

interface RunRow {
  id: string;
  report_id: string;
  trigger: ReportRunTrigger;
  scheduled_for: Date | null;
  status: 'completed' | 'failed';
  row_count: number;
  error: string | null;
  started_at: Date;
  completed_at: Date;
}

function summaryOf(row: RunRow): ReportRunSummary {
  return {
    id: row.id,
    reportId: row.report_id,
    trigger: row.trigger,
    scheduledFor: row.scheduled_for === null ? null : iso(row.scheduled_for),
    status: row.status,
    rowCount: row.row_count,
    error: row.error,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
  };
}

/** The outcome of running a definition: its result, or why it could not run (a rule, not an outage). */
export type QueryOutcome = { result: AnalyticsResult } | { error: string };

/**
 * Runs a stored definition through the query engine. An error that says the definition cannot run (a non-retryable
 * AppError) is the run's outcome; anything else (the database away) is thrown, so the caller retries or answers 5xx.
 */
export async function runDefinition(ctx: AppContext, tenantId: string, definition: unknown): Promise<QueryOutcome> {
  const parsed = analyticsQuerySchema.safeParse(definition);
  if (!parsed.success) return { error: `The stored definition is not valid any more: ${parsed.error.message}` };
  try {
    return { result: await runAnalyticsQuery(analyticsDeps(ctx), tenantId, parsed.data) };
  } catch (error) {
    if (error instanceof AppError && !error.retryable) return { error: error.message };
    throw error;
  }
}

/** The values of a run row for an outcome. */
export function runValues(
  outcome: QueryOutcome,
  run: {
    id: string;
    tenantId: string;
    reportId: string;
    trigger: ReportRunTrigger;
    scheduledFor: Date | null;
    definition: unknown;
    startedAt: Date;
    completedAt: Date;
  },
) {
  return {
    id: run.id,
    tenant_id: run.tenantId,
    report_id: run.reportId,
    trigger: run.trigger,
    scheduled_for: run.scheduledFor,
    status: 'result' in outcome ? ('completed' as const) : ('failed' as const),
    definition: json(run.definition),
    result: 'result' in outcome ? json(outcome.result) : null,
    row_count: 'result' in outcome ? outcome.result.rows.length : 0,
    error: 'error' in outcome ? outcome.error.slice(0, 2000) : null,
    started_at: run.startedAt,
    completed_at: run.completedAt,
  };
}

/** Runs a report now (admin panel, CLI), stores the run with its result, and returns it. */
export async function runReportNow(
  ctx: AppContext,
  input: { tenantId: string; reportId: string; trigger: Exclude<ReportRunTrigger, 'schedule'> },
  actor = 'cli',
): Promise<ReportRunView & { reportName: string }> {
  if (!isUuid(input.reportId)) throw reportNotFound(input.reportId);
  const reportId = input.reportId.toLowerCase();
  const report = await ctx.kysely
    .selectFrom('reports')
    .select(['id', 'definition'])
    .where('tenant_id', '=', input.tenantId)
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report) throw reportNotFound(input.reportId);
  const startedAt = ctx.clock();
  // The query runs outside any transaction: it may take a while, and holds nothing meanwhile.
  const outcome = await runDefinition(ctx, input.tenantId, report.definition);
  const id = newId();
  await ctx.kysely.transaction().execute(async (trx) => {
    // Stored only while the report still exists: its row locked, a deletion waits for this run or came first.
    const stored = await trx
      .selectFrom('reports')
      .select('id')
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', reportId)
      .forUpdate()
      .executeTakeFirst();
    if (!stored) throw reportNotFound(input.reportId);
    await trx
      .insertInto('report_runs')
      .values(
        runValues(outcome, {
          id,
          tenantId: input.tenantId,
          reportId,
          trigger: input.trigger,
          scheduledFor: null,
          definition: report.definition,
          startedAt,
          completedAt: ctx.clock(),
        }),
      )
      .execute();
    await recordAudit(trx, { tenantId: input.tenantId, actor, action: 'report.run', target: reportId, after: id });
  });
  return getReportRun(ctx, input.tenantId, reportId, id);
}

export async function listReportRuns(
  ctx: AppContext,
  tenantId: string,
  reportId: string,
  limit = 50,
): Promise<ReportRunSummary[]> {
  if (!isUuid(reportId)) throw reportNotFound(reportId);
  const report = await ctx.kysely
    .selectFrom('reports')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reportId.toLowerCase())
    .executeTakeFirst();
  if (!report) throw reportNotFound(reportId);
  const rows = await ctx.kysely
    .selectFrom('report_runs')
    .select([
      'id',
      'report_id',
      'trigger',
      'scheduled_for',
      'status',
      'row_count',
      'error',
      'started_at',
      'completed_at',
    ])
    .where('tenant_id', '=', tenantId)
    .where('report_id', '=', report.id)
    .orderBy('completed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(summaryOf);
}

/** One run with its result, or 404 (another tenant's run, or another report's, looks like none). */
export async function getReportRun(
  ctx: AppContext,
  tenantId: string,
  reportId: string,
  runId: string,
): Promise<ReportRunView & { reportName: string }> {
  if (!isUuid(reportId) || !isUuid(runId)) throw runNotFound(runId);
  const row = await ctx.kysely
    .selectFrom('report_runs as x')
    .innerJoin('reports as r', 'r.id', 'x.report_id')
    .select([
      'x.id',
      'x.report_id',
      'x.trigger',
      'x.scheduled_for',
      'x.status',
      'x.row_count',
      'x.error',
      'x.started_at',
      'x.completed_at',
      'x.definition',
      'x.result',
      'r.name as report_name',
    ])
    .where('x.tenant_id', '=', tenantId)
    .where('r.tenant_id', '=', tenantId)
    .where('x.report_id', '=', reportId.toLowerCase())
    .where('x.id', '=', runId.toLowerCase())
    .executeTakeFirst();
  if (!row) throw runNotFound(runId);
  return {
    ...summaryOf(row),
    definition: row.definition as AnalyticsQuery,
    result: (row.result as AnalyticsResult | null) ?? null,
    reportName: row.report_name,
  };
}

/** A run found by its id alone, for the signed download link (the signature, checked before, names the run). */
export async function runForDownload(
  ctx: AppContext,
  runId: string,
): Promise<{ id: string; reportName: string; completedAt: Date; result: AnalyticsResult } | undefined> {
  if (!isUuid(runId)) return undefined;
  const row = await ctx.kysely
    .selectFrom('report_runs as x')
    .innerJoin('reports as r', (join) =>
      join.onRef('r.id', '=', 'x.report_id').onRef('r.tenant_id', '=', 'x.tenant_id'),
    )
    .select(['x.id', 'x.completed_at', 'x.result', 'r.name'])
    .where('x.id', '=', runId.toLowerCase())
    .where('x.status', '=', 'completed')
    .executeTakeFirst();
  if (!row || row.result === null) return undefined;
  return {
    id: row.id,
    reportName: row.name,
    completedAt: new Date(row.completed_at),
    result: row.result as AnalyticsResult,
  };
}
