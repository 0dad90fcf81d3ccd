import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, seedTenant, Widget } from '../../test/support/fixtures.js';
import { runComerix } from '../../test/support/spawnComerix.js';
import { backend, createTestApp, type TestApp, testConfig } from '../../test/support/testApp.js';
import { WebhookReceiver } from '../../test/support/webhookReceiver.js';
import { setTimeZone } from '../analytics/setTimeZone.js';
import type { AppContext } from '../app/AppContext.js';
import { createContext } from '../app/createContext.js';
import { runCommand } from '../cli/runCommand.js';
import { openPostgres } from '../db/openDatabase.js';
import { performHttp } from '../executions/performHttp.js';
import { runSchedulerTick, scheduledJobKey } from '../scheduler/runSchedulerTick.js';
import { SYSTEM_SCHEDULES } from '../scheduler/systemSchedules.js';
import { startWorker } from '../server/startWorker.js';
import { createWebhookEndpoint } from '../webhooks/webhookService.js';
import { REPORT_LINK_TTL_MS } from './reportDownloadLink.js';
import { resultToCsv } from './reportExport.js';
import {
  createReport,
  deleteReport,
  listReports,
  pinReport,
  reorderPinnedReports,
  setReportSchedule,
  unpinReport,
  updateReport,
} from './reportService.js';
import { runScheduledReport } from './runScheduledReport.js';

let t: TestApp;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  t = await createTestApp({ worker: true });
  await receiver.start();
});
afterAll(async () => {
  await t?.close();
  await receiver.close();
});

const DAY = 24 * 3600 * 1000;
const day = (d: Date) => d.toISOString().slice(0, 10);
/** Sessions are opened at the wall clock's time: the reports read the days around it. */
const around = () => ({ from: day(new Date(Date.now() - DAY)), to: day(new Date(Date.now() + DAY)) });

let paths = 0;
/** A tenant with two sessions on its widget key, and a webhook endpoint on the receiver for `report.ready`. */
async function tenantWithSessions(ctx: AppContext) {
  const { tenant, key } = await seedTenant(ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
  const w = new Widget(t.app);
  expect((await w.open(key.key, { customerId: 'u-1' })).status).toBe(201);
  expect((await w.open(key.key, { customerId: 'u-2' })).status).toBe(201);
  const path = `/reports/${++paths}`;
  const { secret } = await createWebhookEndpoint(ctx, {
    tenantId: tenant.id,
    url: receiver.url(path),
    eventTypes: ['report.ready'],
  });
  receiver.expect(path, secret);
  return { tenant, key, path };
}

/** Moves the clock of every context given to `at` (the scheduler, the runs and the link checks read it). */
function setClock(at: Date, ...contexts: AppContext[]) {
  for (const ctx of contexts) ctx.clock = () => at;
}

async function runsOf(ctx: AppContext, reportId: string) {
  return ctx.kysely.selectFrom('report_runs').selectAll().where('report_id', '=', reportId).execute();
}

async function scheduleIdOf(reportId: string): Promise<string> {
  const row = await t.ctx.kysely
    .selectFrom('schedules')
    .select('id')
    .where('report_id', '=', reportId)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function nextRunOf(ctx: AppContext, reportId: string): Promise<string> {
  const row = await ctx.kysely
    .selectFrom('schedules')
    .select('next_run_at')
    .where('report_id', '=', reportId)
    .executeTakeFirstOrThrow();
  return new Date(row.next_run_at).toISOString();
}

function download(url: string) {
  const { pathname, search } = new URL(url);
  return t.app.inject({ method: 'GET', url: `${pathname}${search}` });
}

describe('a scheduled report', () => {
  it('runs at its cron time in its time zone, stores its run, and fires report.ready with a working link', async () => {
    const realClock = t.ctx.clock;
    try {
      const { tenant, key, path } = await tenantWithSessions(t.ctx);
      // 08:59 in Paris (summer time, UTC+2): the report is due at 09:00 Paris, 07:00 UTC.
      setClock(new Date('2026-06-01T06:59:00Z'), t.ctx);
      const report = await createReport(t.ctx, {
        tenantId: tenant.id,
        name: 'Daily sessions, per key',
        definition: { metrics: ['sessions'], dimensions: ['key'], range: around() },
        schedule: { cron: '0 9 * * *', timeZone: 'Europe/Paris', enabled: true },
      });
      expect(report.schedule).toMatchObject({ nextRunAt: '2026-06-01T07:00:00.000Z', lastRunAt: null });
      expect(await runSchedulerTick(t.ctx)).toEqual([]);
      expect(await runsOf(t.ctx, report.id)).toEqual([]);

      setClock(new Date('2026-06-01T07:00:20Z'), t.ctx);
      // This tick or the worker's own fires it; either way exactly once.
      await Promise.all([runSchedulerTick(t.ctx), runSchedulerTick(t.ctx)]);
      expect(await runSchedulerTick(t.ctx)).toEqual([]);
      expect(await nextRunOf(t.ctx, report.id)).toBe('2026-06-02T07:00:00.000Z');

      await receiver.waitFor(() => receiver.on(path).length === 1);
      const [hook] = receiver.on(path);
      expect(hook!.verified).toBe(true);
      const runs = await runsOf(t.ctx, report.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'completed', row_count: 1 });
      expect(new Date(runs[0]!.scheduled_for!).toISOString()).toBe('2026-06-01T07:00:00.000Z');
      expect(hook!.payload).toMatchObject({
        type: 'report.ready',
        data: {
          reportId: report.id,
          runId: runs[0]!.id,
          name: 'Daily sessions, per key',
          format: 'csv',
          rowCount: 1,
          scheduledFor: '2026-06-01T07:00:00.000Z',
          completedAt: '2026-06-01T07:00:20.000Z',
          expiresAt: new Date(Date.parse('2026-06-01T07:00:20Z') + REPORT_LINK_TTL_MS).toISOString(),
        },
      });

      // The link: no cookie, the CSV of the run (RFC 4180: CRLF records), header and rows as the query gave them.
      const url = String(hook!.payload.data.url);
      const res = await download(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="Daily_sessions_per_key-/);
      expect(res.body).toContain('\r\n');
      const records = parse(res.body, { columns: true }) as Record<string, string>[];
      expect(Object.keys(records[0]!)).toEqual(['key', 'sessions']);
      expect(records).toEqual([{ key: key.id, sessions: '2' }]);

      // Tampered in any part: refused, as is the genuine link once it expired.
      const tampered = new URL(url);
      tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 3600));
      expect((await download(tampered.toString())).statusCode).toBe(403);
      const otherFormat = new URL(url);
      otherFormat.searchParams.set('format', 'json');
      expect((await download(otherFormat.toString())).statusCode).toBe(403);
      const otherRun = url.replace(runs[0]!.id, '01900000-0000-7000-8000-000000000009');
      expect((await download(otherRun)).statusCode).toBe(403);
      const badSignature = new URL(url);
      badSignature.searchParams.set('signature', `${badSignature.searchParams.get('signature')!.slice(0, -2)}AA`);
      expect((await download(badSignature.toString())).statusCode).toBe(403);
      setClock(new Date(Date.parse('2026-06-01T07:00:20Z') + REPORT_LINK_TTL_MS - 1000), t.ctx);
      expect((await download(url)).statusCode).toBe(200);
      setClock(new Date(Date.parse('2026-06-01T07:00:20Z') + REPORT_LINK_TTL_MS), t.ctx);
      const expired = await download(url);
      expect(expired.statusCode).toBe(403);
      expect(expired.json().error.code).toBe('forbidden');

      // The next day's run is its own run; the first day's job, run again (a retry), stores and announces nothing.
      setClock(new Date('2026-06-02T07:00:05Z'), t.ctx);
      await runSchedulerTick(t.ctx);
      await receiver.waitFor(() => receiver.on(path).length === 2);
      expect(await runsOf(t.ctx, report.id)).toHaveLength(2);
      expect(receiver.on(path)[1]!.payload.data.scheduledFor).toBe('2026-06-02T07:00:00.000Z');
      const scheduleId = await scheduleIdOf(report.id);
      await runScheduledReport(t.ctx)(
        {
          tenantId: tenant.id,
          reportId: report.id,
          format: 'csv',
          scheduleId,
          scheduledFor: '2026-06-01T07:00:00.000Z',
        },
        { attempt: 2, maxAttempts: 3, jobKey: null },
      );
      expect(await runsOf(t.ctx, report.id)).toHaveLength(2);
      const announced = await t.ctx.kysely
        .selectFrom('webhook_events')
        .select('id')
        .where('tenant_id', '=', tenant.id)
        .where('type', '=', 'report.ready')
        .execute();
      expect(announced).toHaveLength(2);
    } finally {
      t.ctx.clock = realClock;
    }
  });

  it('disabled, it does not run; enabled again, it continues from its next time', async () => {
    const realClock = t.ctx.clock;
    try {
      const { tenant } = await tenantWithSessions(t.ctx);
      setClock(new Date('2026-07-01T00:00:00Z'), t.ctx);
      const report = await createReport(t.ctx, {
        tenantId: tenant.id,
        name: 'Hourly',
        definition: { metrics: ['sessions'], range: around() },
        schedule: { cron: '0 * * * *', timeZone: 'UTC', enabled: false },
      });
      setClock(new Date('2026-07-01T03:30:00Z'), t.ctx);
      await runSchedulerTick(t.ctx);
      expect(await nextRunOf(t.ctx, report.id)).toBe('2026-07-01T01:00:00.000Z');
      const enabled = await setReportSchedule(t.ctx, tenant.id, report.id, {
        cron: '0 * * * *',
        timeZone: 'UTC',
        enabled: true,
      });
      expect(enabled.schedule).toMatchObject({ enabled: true, nextRunAt: '2026-07-01T04:00:00.000Z' });
      expect(await runsOf(t.ctx, report.id)).toEqual([]);
    } finally {
      t.ctx.clock = realClock;
    }
  });
});

describe.runIf(backend === 'postgres')('two worker processes', () => {
  it('run a due report exactly once', async () => {
    const db2 = await openPostgres(t.ctx.config.databaseUrl!);
    // The second worker is configured as the first (createTestApp): its deliveries reach the local receiver too.
    const ctx2 = await createContext(
      testConfig({
        DATABASE_URL: t.ctx.config.databaseUrl!,
        COMERIX_ALLOW_PRIVATE_NETWORKS: 'true',
        COMERIX_JOB_LEASE_SECONDS: '5',
      }),
      db2,
    );
    const worker2 = await startWorker(ctx2, { http: performHttp });
    const realClock = t.ctx.clock;
    try {
      const { tenant, path } = await tenantWithSessions(t.ctx);
      setClock(new Date('2026-08-03T05:00:00Z'), t.ctx, ctx2);
      const report = await createReport(t.ctx, {
        tenantId: tenant.id,
        name: 'Weekly',
        definition: { metrics: ['sessions'], range: around() },
        schedule: { cron: '30 8 * * MON', timeZone: 'America/New_York', enabled: true },
      });
      // Monday 08:30 in New York (UTC-4 in August).
      expect(report.schedule!.nextRunAt).toBe('2026-08-03T12:30:00.000Z');
      const scheduleId = await scheduleIdOf(report.id);
      setClock(new Date('2026-08-03T12:31:00Z'), t.ctx, ctx2);
      const fired = await Promise.all([
        runSchedulerTick(t.ctx),
        runSchedulerTick(ctx2),
        runSchedulerTick(ctx2),
        runSchedulerTick(t.ctx),
      ]);
      // Both workers' interval ticks may have fired it first: never more than once in all.
      expect(fired.flat().filter((id) => id === scheduleId)).toHaveLength(fired.flat().includes(scheduleId) ? 1 : 0);
      await receiver.waitFor(() => receiver.on(path).length === 1);
      expect(await runsOf(t.ctx, report.id)).toHaveLength(1);
      // The queue has nothing left of it, and the outbox holds one announcement.
      const jobKey = scheduledJobKey(scheduleId, new Date('2026-08-03T12:30:00Z'));
      await expect.poll(() => t.ctx.jobs.exists(jobKey)).toBe(false);
      const events = await t.ctx.kysely
        .selectFrom('webhook_events')
        .select('id')
        .where('tenant_id', '=', tenant.id)
        .where('type', '=', 'report.ready')
        .execute();
      expect(events).toHaveLength(1);
      expect(await nextRunOf(t.ctx, report.id)).toBe('2026-08-10T12:30:00.000Z');
    } finally {
      t.ctx.clock = realClock;
      await worker2.stop();
      await ctx2.events.close();
      await db2.close();
    }
  });
});

describe('comerix report:run', () => {
  it('runs the report now, stores a cli run, and prints it as CSV or JSON', async () => {
    const { tenant, key } = await tenantWithSessions(t.ctx);
    const report = await createReport(t.ctx, {
      tenantId: tenant.id,
      name: 'Per key',
      definition: { metrics: ['sessions'], dimensions: ['key'], range: around() },
    });
    // What goes on stdout, but for the newline the dispatcher ends every output with.
    const csv = `${await runCommand(t.ctx, { command: 'report:run', reportId: report.id, format: 'csv' })}\n`;
    expect(csv).toBe(`key,sessions\r\n${key.id},2\r\n`);
    expect(parse(csv, { columns: true })).toEqual([{ key: key.id, sessions: '2' }]);
    const asJson = JSON.parse(
      await runCommand(t.ctx, { command: 'report:run', reportId: report.id, format: 'json', tenant: tenant.slug }),
    );
    expect(asJson).toMatchObject({ columns: [{ name: 'key' }, { name: 'sessions' }], rows: [[key.id, 2]] });
    expect((await runsOf(t.ctx, report.id)).map((r) => r.trigger)).toEqual(['cli', 'cli']);
    const other = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    await expect(
      runCommand(t.ctx, { command: 'report:run', reportId: report.id, format: 'csv', tenant: other.tenant.slug }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it.runIf(backend === 'postgres')('as its own process, on stdout', { timeout: 180_000 }, async () => {
    const { tenant, key } = await tenantWithSessions(t.ctx);
    const report = await createReport(t.ctx, {
      tenantId: tenant.id,
      name: 'Per key',
      definition: { metrics: ['sessions'], dimensions: ['key'], range: around() },
    });
    const env = { DATABASE_URL: t.ctx.config.databaseUrl!, COMERIX_MASTER_KEY: 'a'.repeat(64) };
    const res = await runComerix(['report:run', report.id, '--format', 'csv'], env);
    expect([res.code, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toBe(`key,sessions\r\n${key.id},2\r\n`);
    expect(parse(res.stdout, { columns: true })).toEqual([{ key: key.id, sessions: '2' }]);
    const bad = await runComerix(['report:run', report.id, '--format', 'xlsx'], env);
    expect(bad.code).toBe(2);
  });
});

describe('system schedules', () => {
  it('the housekeeping is on the scheduler, each once per due time across ticks', async () => {
    const rows = await t.ctx.kysely
      .selectFrom('schedules')
      .select(['name', 'cron', 'task'])
      .where('name', 'is not', null)
      .orderBy('name')
      .execute();
    expect(rows.map((r) => r.name)).toEqual(SYSTEM_SCHEDULES.map((s) => s.name).sort());
    expect(rows.map((r) => r.task)).toEqual(rows.map((r) => `system.${r.name}`));
    const realClock = t.ctx.clock;
    try {
      // An hour on: every system schedule is due; concurrent ticks move each once.
      setClock(new Date(Date.now() + 3600_000), t.ctx);
      const fired = (
        await Promise.all([runSchedulerTick(t.ctx), runSchedulerTick(t.ctx), runSchedulerTick(t.ctx)])
      ).flat();
      // No schedule queued twice (the worker's own tick may have taken some first).
      expect(new Set(fired).size).toBe(fired.length);
      expect(await runSchedulerTick(t.ctx)).toEqual([]);
      const due = await t.ctx.kysely
        .selectFrom('schedules')
        .select('id')
        .where('name', 'is not', null)
        .where('next_run_at', '<=', t.ctx.clock())
        .execute();
      expect(due).toEqual([]);
    } finally {
      t.ctx.clock = realClock;
    }
  });
});

describe('reports through the admin API', () => {
  it('pins in order and reorders; refuses a bad cron, zone or definition', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const make = (name: string) =>
      createReport(t.ctx, { tenantId: tenant.id, name, definition: { metrics: ['sessions'], range: around() } });
    const [a, b, c] = [await make('A'), await make('B'), await make('C')];
    await pinReport(t.ctx, tenant.id, c.id);
    await pinReport(t.ctx, tenant.id, a.id);
    expect((await listReports(t.ctx, tenant.id)).map((r) => [r.name, r.pinPosition])).toEqual([
      ['C', 0],
      ['A', 1],
      ['B', null],
    ]);
    await reorderPinnedReports(t.ctx, tenant.id, [a.id, c.id]);
    expect((await listReports(t.ctx, tenant.id)).map((r) => r.name)).toEqual(['A', 'C', 'B']);
    await expect(reorderPinnedReports(t.ctx, tenant.id, [a.id])).rejects.toMatchObject({ code: 'validation_failed' });
    const renamed = await updateReport(t.ctx, tenant.id, a.id, { name: 'A2' });
    expect([renamed.name, renamed.version]).toEqual(['A2', 2]);
    // The first pinned report deleted: the others close up.
    const d = await make('D');
    await pinReport(t.ctx, tenant.id, d.id);
    await deleteReport(t.ctx, tenant.id, a.id);
    expect((await listReports(t.ctx, tenant.id)).map((r) => [r.name, r.pinPosition])).toEqual([
      ['C', 0],
      ['D', 1],
      ['B', null],
    ]);
    await unpinReport(t.ctx, tenant.id, c.id);
    expect((await listReports(t.ctx, tenant.id)).map((r) => [r.name, r.pinPosition])).toEqual([
      ['D', 0],
      ['B', null],
      ['C', null],
    ]);
    await expect(reorderPinnedReports(t.ctx, tenant.id, [d.id, b.id])).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const schedule = (cron: string, timeZone: string) =>
      setReportSchedule(t.ctx, tenant.id, b.id, { cron, timeZone, enabled: true });
    await expect(schedule('0 9 * *', 'UTC')).resolves.toBeDefined();
    await expect(schedule('61 * * * *', 'UTC')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(schedule('H * * * *', 'UTC')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(schedule('0 9 * * THU', 'Mars/Olympus')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(schedule('0 9 * * THU', 'Asia/Tokyo')).resolves.toMatchObject({
      schedule: { cron: '0 9 * * THU', timeZone: 'Asia/Tokyo' },
    });
    // Without a zone, the tenant's analytics time zone (09:00 in Tokyo is 00:00 UTC).
    await setTimeZone(t.ctx, tenant.id, 'Asia/Tokyo');
    const inTenantZone = await setReportSchedule(t.ctx, tenant.id, c.id, { cron: '0 9 * * *', enabled: true });
    expect(inTenantZone.schedule!.timeZone).toBe('Asia/Tokyo');
    expect(inTenantZone.schedule!.nextRunAt).toMatch(/T00:00:00\.000Z$/);
    await expect(
      createReport(t.ctx, { tenantId: tenant.id, name: 'X', definition: { metrics: ['nope'], range: around() } }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('CSV export', () => {
  it('is RFC 4180 with quoting, nulls as empty cells and formula-like text neutralised', () => {
    const csv = resultToCsv({
      columns: [
        { name: 'page_type', kind: 'dimension' },
        { name: 'sessions', kind: 'metric' },
        { name: 'completion_rate', kind: 'metric' },
      ],
      rows: [
        ['product, "new"', 3, 0.5],
        ['=HYPERLINK("x")', -1, null],
        [null, 0, 1],
      ],
      timeZone: 'UTC',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
      granularity: null,
    });
    expect(csv).toBe(
      'page_type,sessions,completion_rate\r\n"product, ""new""",3,0.5\r\n"\'=HYPERLINK(""x"")",-1,\r\n,0,1\r\n',
    );
    expect(parse(csv)).toEqual([
      ['page_type', 'sessions', 'completion_rate'],
      ['product, "new"', '3', '0.5'],
      ['\'=HYPERLINK("x")', '-1', ''],
      ['', '0', '1'],
    ]);
  });
});
