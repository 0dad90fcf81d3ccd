import { type Kysely, sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { Database } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { checkCronSchedule, nextCronTime } from '../scheduler/cronSchedule.js';
import { type AnalyticsQuery, analyticsQuerySchema } from '../wire/analyticsSchemas.js';
import type { ReportFormat, reportScheduleView, reportView } from '../wire/reportSchemas.js';

/** The job task of a report's scheduled runs (src/reports/runScheduledReport.ts). */
export const REPORT_RUN_TASK = 'report.run';

export type ReportView = z.infer<typeof reportView>;
export type ReportScheduleView = z.infer<typeof reportScheduleView>;

export interface ReportScheduleInput {
  cron: string;
  /** Absent: the tenant's analytics time zone, as it is now (a later change of the tenant's zone leaves it). */
  timeZone?: string | undefined;
  enabled: boolean;
  /** The format the `report.ready` link serves. */
  format?: ReportFormat;
}

/** What a report's schedule row carries to its runs. */
export interface ReportSchedulePayload {
  tenantId: string;
  reportId: string;
  format: ReportFormat;
}

const notFound = (id: string) => new AppError('not_found', `no report "${id}" in this tenant`);
const iso = (d: Date | string) => new Date(d).toISOString();

type Db = Kysely<Database> | Transaction<Database>;

interface ReportRow {
  id: string;
  name: string;
  definition: unknown;
  pin_position: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  cron: string | null;
  time_zone: string | null;
  enabled: boolean | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
}

function selectReports(db: Db, tenantId: string) {
  return db
    .selectFrom('reports as r')
    .leftJoin('schedules as s', 's.report_id', 'r.id')
    .select([
      'r.id',
      'r.name',
      'r.definition',
      'r.pin_position',
      'r.version',
      'r.created_at',
      'r.updated_at',
      's.cron',
      's.time_zone',
      's.enabled',
      's.next_run_at',
      's.last_run_at',
    ])
    .where('r.tenant_id', '=', tenantId);
}

function viewOf(row: ReportRow): ReportView {
  return {
    id: row.id,
    name: row.name,
    definition: row.definition as AnalyticsQuery,
    pinPosition: row.pin_position,
    schedule:
      row.cron === null
        ? null
        : {
            cron: row.cron,
            timeZone: row.time_zone ?? 'UTC',
            enabled: row.enabled ?? false,
            nextRunAt: iso(row.next_run_at ?? new Date(0)),
            lastRunAt: row.last_run_at === null ? null : iso(row.last_run_at),
          },
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

async function viewById(db: Db, tenantId: string, id: string): Promise<ReportView> {
  const row = await selectReports(db, tenantId).where('r.id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return viewOf(row as ReportRow);
}

/** A definition as stored: validated with the query engine's own schema (defaults applied). */
function parsedDefinition(definition: unknown): AnalyticsQuery {
  const parsed = analyticsQuerySchema.safeParse(definition);
  if (!parsed.success) {
    throw AppError.validation(
      parsed.error.issues.map((issue) => ({
        path: ['definition', ...issue.path.map(String)].join('.'),
        rule: issue.code,
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

export async function listReports(ctx: AppContext, tenantId: string): Promise<ReportView[]> {
  const rows = await selectReports(ctx.kysely, tenantId)
    .orderBy(sql`r.pin_position is null`)
    .orderBy('r.pin_position')
    .orderBy('r.name')
    .orderBy('r.id')
    .execute();
  return rows.map((row) => viewOf(row as ReportRow));
}

export async function getReport(ctx: AppContext, tenantId: string, id: string): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  return viewById(ctx.kysely, tenantId, id.toLowerCase());
}

export async function createReport(
  ctx: AppContext,
  input: { tenantId: string; name: string; definition: unknown; schedule?: ReportScheduleInput },
  actor = 'cli',
): Promise<ReportView> {
  const definition = parsedDefinition(input.definition);
  const schedule = input.schedule && (await withTimeZone(ctx, input.tenantId, input.schedule));
  if (schedule) checkCronSchedule(schedule.cron, schedule.timeZone);
  const id = newId();
  return ctx.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('reports')
      .values({ id, tenant_id: input.tenantId, name: input.name, definition: json(definition) })
      .execute();
    if (schedule) await writeSchedule(ctx, trx, input.tenantId, id, schedule);
    const view = await viewById(trx, input.tenantId, id);
    await recordAudit(trx, { tenantId: input.tenantId, actor, action: 'report.create', target: id, after: view });
    return view;
  });
}

export async function updateReport(
  ctx: AppContext,
  tenantId: string,
  id: string,
  change: { name?: string | undefined; definition?: unknown },
  actor = 'cli',
): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  const definition = change.definition === undefined ? undefined : parsedDefinition(change.definition);
  return ctx.kysely.transaction().execute(async (trx) => {
    // The row locked: the version read next is the one this change replaces.
    const locked = await trx
      .selectFrom('reports')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw notFound(id);
    const before = await viewById(trx, tenantId, locked.id);
    await trx
      .updateTable('reports')
      .set({
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(definition !== undefined ? { definition: json(definition) } : {}),
        version: sql<number>`version + 1`,
        updated_at: ctx.clock(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', before.id)
      .where('version', '=', before.version)
      .execute();
    const after = await viewById(trx, tenantId, before.id);
    await recordAudit(trx, { tenantId, actor, action: 'report.update', target: before.id, before, after });
    return after;
  });
}

export async function deleteReport(ctx: AppContext, tenantId: string, id: string, actor = 'cli'): Promise<void> {
  if (!isUuid(id)) throw notFound(id);
  await ctx.kysely.transaction().execute(async (trx) => {
    // Locked in one order with the pins, so renumbering the dashboard never deadlocks against them.
    await trx.selectFrom('reports').select('id').where('tenant_id', '=', tenantId).orderBy('id').forUpdate().execute();
    // Its schedule and runs go with it (on delete cascade).
    const deleted = await trx
      .deleteFrom('reports')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .returning(['id', 'pin_position'])
      .executeTakeFirst();
    if (!deleted) throw notFound(id);
    if (deleted.pin_position !== null) await renumber(trx, tenantId);
    await recordAudit(trx, { tenantId, actor, action: 'report.delete', target: deleted.id });
  });
}

/** The schedule with its zone: the one given, or the tenant's analytics time zone. */
async function withTimeZone(
  ctx: AppContext,
  tenantId: string,
  schedule: ReportScheduleInput,
): Promise<ReportScheduleInput & { timeZone: string }> {
  if (schedule.timeZone !== undefined) return { ...schedule, timeZone: schedule.timeZone };
  const tenant = await ctx.kysely
    .selectFrom('tenants')
    .select('time_zone')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  return { ...schedule, timeZone: tenant?.time_zone ?? 'UTC' };
}

async function writeSchedule(
  ctx: AppContext,
  trx: Transaction<Database>,
  tenantId: string,
  reportId: string,
  schedule: ReportScheduleInput & { timeZone: string },
): Promise<void> {
  const now = ctx.clock();
  const payload: ReportSchedulePayload = { tenantId, reportId, format: schedule.format ?? 'csv' };
  const values = {
    task: REPORT_RUN_TASK,
    payload: json(payload),
    cron: schedule.cron,
    time_zone: schedule.timeZone,
    enabled: schedule.enabled,
    next_run_at: nextCronTime(schedule.cron, schedule.timeZone, now),
    updated_at: now,
  };
  await trx
    .insertInto('schedules')
    .values({ id: newId(), tenant_id: tenantId, report_id: reportId, name: null, ...values })
    .onConflict((oc) => oc.column('report_id').doUpdateSet(values))
    .execute();
}

/** Sets (or replaces) a report's schedule; its next run is the expression's next time after now. */
export async function setReportSchedule(
  ctx: AppContext,
  tenantId: string,
  id: string,
  input: ReportScheduleInput,
  actor = 'cli',
): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  const schedule = await withTimeZone(ctx, tenantId, input);
  checkCronSchedule(schedule.cron, schedule.timeZone);
  return ctx.kysely.transaction().execute(async (trx) => {
    // The report row, locked: a deletion meanwhile cannot leave a schedule behind.
    const report = await trx
      .selectFrom('reports')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .forUpdate()
      .executeTakeFirst();
    if (!report) throw notFound(id);
    const before = await viewById(trx, tenantId, report.id);
    await writeSchedule(ctx, trx, tenantId, report.id, schedule);
    const after = await viewById(trx, tenantId, report.id);
    await recordAudit(trx, { tenantId, actor, action: 'report.schedule', target: report.id, before, after });
    return after;
  });
}

export async function deleteReportSchedule(
  ctx: AppContext,
  tenantId: string,
  id: string,
  actor = 'cli',
): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  return ctx.kysely.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('schedules')
      .where('tenant_id', '=', tenantId)
      .where('report_id', '=', id.toLowerCase())
      .returning('report_id')
      .executeTakeFirst();
    if (!deleted) throw new AppError('not_found', `report "${id}" has no schedule in this tenant`);
    await recordAudit(trx, { tenantId, actor, action: 'report.unschedule', target: id.toLowerCase() });
    return viewById(trx, tenantId, id.toLowerCase());
  });
}

/** Pins a report at the end of the dashboard (a pinned report stays where it is). */
export async function pinReport(ctx: AppContext, tenantId: string, id: string, actor = 'cli'): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  return ctx.kysely.transaction().execute(async (trx) => {
    // The tenant's reports locked in one order: concurrent pins take places one after the other.
    const rows = await trx
      .selectFrom('reports')
      .select(['id', 'pin_position'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .forUpdate()
      .execute();
    const report = rows.find((r) => r.id === id.toLowerCase());
    if (!report) throw notFound(id);
    if (report.pin_position === null) {
      const last = Math.max(-1, ...rows.map((r) => r.pin_position ?? -1));
      await trx
        .updateTable('reports')
        .set({ pin_position: last + 1 })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', report.id)
        .where('pin_position', 'is', null)
        .execute();
    }
    const view = await viewById(trx, tenantId, report.id);
    await recordAudit(trx, { tenantId, actor, action: 'report.pin', target: report.id, after: view.pinPosition });
    return view;
  });
}

export async function unpinReport(ctx: AppContext, tenantId: string, id: string, actor = 'cli'): Promise<ReportView> {
  if (!isUuid(id)) throw notFound(id);
  return ctx.kysely.transaction().execute(async (trx) => {
    await trx.selectFrom('reports').select('id').where('tenant_id', '=', tenantId).orderBy('id').forUpdate().execute();
    const unpinned = await trx
      .updateTable('reports')
      .set({ pin_position: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .returning('id')
      .executeTakeFirst();
    if (!unpinned) throw notFound(id);
    await renumber(trx, tenantId);
    await recordAudit(trx, { tenantId, actor, action: 'report.unpin', target: unpinned.id });
    return viewById(trx, tenantId, unpinned.id);
  });
}

/** Places 0..n-1 for the pinned reports in their current order (after one left). */
async function renumber(trx: Transaction<Database>, tenantId: string): Promise<void> {
  const pinned = await trx
    .selectFrom('reports')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('pin_position', 'is not', null)
    .orderBy('pin_position')
    .execute();
  await placeInOrder(
    trx,
    tenantId,
    pinned.map((r) => r.id),
  );
}

async function placeInOrder(trx: Transaction<Database>, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  // Out of the way first (negative places), then into the new ones: the unique index holds after every row.
  await trx
    .updateTable('reports')
    .set({ pin_position: sql<number>`-1 - pin_position` })
    .where('tenant_id', '=', tenantId)
    .where('pin_position', 'is not', null)
    .execute();
  for (const [position, id] of ids.entries()) {
    await trx
      .updateTable('reports')
      .set({ pin_position: position })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
}

/** Reorders the dashboard: `reportIds` must name every pinned report of the tenant exactly once. */
export async function reorderPinnedReports(
  ctx: AppContext,
  tenantId: string,
  reportIds: string[],
  actor = 'cli',
): Promise<ReportView[]> {
  const wanted = reportIds.map((id) => id.toLowerCase());
  await ctx.kysely.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('reports')
      .select(['id', 'pin_position'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .forUpdate()
      .execute();
    const pinned = rows.filter((r) => r.pin_position !== null).sort((a, b) => a.pin_position! - b.pin_position!);
    const same =
      new Set(wanted).size === wanted.length &&
      wanted.length === pinned.length &&
      pinned.every((r) => wanted.includes(r.id));
    if (!same) {
      throw AppError.validation([
        { path: 'reportIds', rule: 'pinned_set', message: 'Name every pinned report of the tenant exactly once.' },
      ]);
    }
    await placeInOrder(trx, tenantId, wanted);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'report.reorder',
      target: 'dashboard',
      before: pinned.map((r) => r.id),
      after: wanted,
    });
  });
  return (await listReports(ctx, tenantId)).filter((r) => r.pinPosition !== null);
}
