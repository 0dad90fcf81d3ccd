import type { AppContext } from '../app/AppContext.js';
import { newId } from '../db/newId.js';
import type { Json } from '../engine/types.js';
import type { JobHandler } from '../jobs/JobQueue.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import { REPORT_FORMATS, type ReportFormat } from '../wire/reportSchemas.js';
import { REPORT_LINK_TTL_MS, signReportLink } from './reportDownloadLink.js';
import { runDefinition, runValues } from './reportRuns.js';

interface ScheduledReportPayload {
  tenantId: string;
  reportId: string;
  format: ReportFormat;
  scheduleId: string;
  scheduledFor: Date;
}

function payloadOf(payload: Json): ScheduledReportPayload | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { tenantId, reportId, format, scheduleId, scheduledFor } = payload;
  if (typeof tenantId !== 'string' || typeof reportId !== 'string' || typeof scheduleId !== 'string') return undefined;
  if (typeof scheduledFor !== 'string' || Number.isNaN(Date.parse(scheduledFor))) return undefined;
  const known = (REPORT_FORMATS as readonly unknown[]).includes(format);
  return {
    tenantId,
    reportId,
    scheduleId,
    scheduledFor: new Date(scheduledFor),
    format: known ? (format as ReportFormat) : 'csv',
  };
}

/**
 * The job of one scheduled run (enqueued by the scheduler tick): runs the report's definition, stores the run, and
 * in the same transaction writes the `report.ready` webhook event with a signed, expiring download link. The run is
 * unique per (report, cron time): a job that runs again (a retry after a crash) finds it stored and does nothing, so
 * each cron time gives one run and one announcement. A report deleted meanwhile runs no more.
 */
export function runScheduledReport(ctx: AppContext): JobHandler {
  return async (raw) => {
    const job = payloadOf(raw);
    if (!job) return;
    const report = await ctx.kysely
      .selectFrom('reports')
      .select(['id', 'name', 'definition'])
      .where('tenant_id', '=', job.tenantId)
      .where('id', '=', job.reportId)
      .executeTakeFirst();
    if (!report) return;
    const done = await ctx.kysely
      .selectFrom('report_runs')
      .select('id')
      .where('report_id', '=', report.id)
      .where('scheduled_for', '=', job.scheduledFor)
      .executeTakeFirst();
    if (done) return;
    const startedAt = ctx.clock();
    const outcome = await runDefinition(ctx, job.tenantId, report.definition);
    const id = newId();
    const completedAt = ctx.clock();
    await ctx.kysely.transaction().execute(async (trx) => {
      const stored = await trx
        .insertInto('report_runs')
        .values(
          runValues(outcome, {
            id,
            tenantId: job.tenantId,
            reportId: report.id,
            trigger: 'schedule',
            scheduledFor: job.scheduledFor,
            definition: report.definition,
            startedAt,
            completedAt,
          }),
        )
        // Another attempt of this job stored it first: that one announced it too.
        .onConflict((oc) =>
          oc.columns(['report_id', 'scheduled_for']).where('scheduled_for', 'is not', null).doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (!stored || !('result' in outcome)) return;
      const expiresAt = new Date(completedAt.getTime() + REPORT_LINK_TTL_MS);
      await emitWebhookEvent(trx, ctx.webhooks, {
        tenantId: job.tenantId,
        type: 'report.ready',
        occurredAt: completedAt,
        data: {
          reportId: report.id,
          runId: id,
          name: report.name,
          format: job.format,
          rowCount: outcome.result.rows.length,
          url: signReportLink(ctx.secrets, ctx.config.publicUrl, { runId: id, format: job.format, expiresAt }),
          expiresAt: expiresAt.toISOString(),
          scheduledFor: job.scheduledFor.toISOString(),
          completedAt: completedAt.toISOString(),
        },
      });
    });
  };
}
