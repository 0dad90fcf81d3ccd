import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { allRoutes } from '../app/routes.js';
import { runCommand } from '../cli/runCommand.js';
import { createConnection } from '../connections/connectionService.js';
import type { AdminRole, Tenant } from '../db/types.js';
import { importForm } from '../forms/formService.js';
import { addQuickQuestion } from '../reads/widgetSettingsService.js';
import { createReport } from '../reports/reportService.js';
import { createSecretKey } from '../secretKeys/secretKeyService.js';
import { insertUpload } from '../uploads/uploadStore.js';
import { createWebhookEndpoint } from '../webhooks/webhookService.js';
import { adminRoleOf, roleAtLeast } from './adminAuthTypes.js';
import { createAdminUser, LOCK_AFTER_FAILURES, LOCK_MS } from './adminUserService.js';

const contactForm = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'forms', 'contact.json'), 'utf8'),
) as Record<string, unknown>;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const BASE = '/api/admin/v1';
const PASSWORD = 'correct horse battery';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** An admin panel: the session cookie and CSRF token of its last login. */
class Panel {
  cookie: string | undefined;
  csrf: string | undefined;

  async login(email: string, password = PASSWORD): Promise<Answer> {
    const res = await this.call('POST', `${BASE}/auth/login`, { email, password });
    if (res.status === 200) {
      const setCookie = String(res.headers['set-cookie']);
      this.cookie = setCookie.split(';')[0];
      this.csrf = String(res.body.csrfToken);
    }
    return res;
  }

  async call(method: string, url: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && options.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
    let parsed: Record<string, unknown> = {};
    if (res.body) parsed = JSON.parse(res.body) as Record<string, unknown>;
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }
}

let n = 0;
async function userOf(tenant: Tenant, role: AdminRole): Promise<{ id: string; email: string; panel: Panel }> {
  n += 1;
  const email = `${role}${n}-${tenant.slug}@example.com`;
  const user = await createAdminUser(t.ctx, { tenantId: tenant.id, email, role, password: PASSWORD, actor: 'test' });
  const panel = new Panel();
  expect((await panel.login(email)).status).toBe(200);
  return { id: user.id, email, panel };
}

function flowId(tenantFlows: Answer): string {
  return String((tenantFlows.body.flows as { id: string }[])[0]!.id);
}

const adminRoutes = allRoutes().filter((r) => r.path.startsWith(BASE));
const guarded = adminRoutes.filter((r) => r.auth === 'admin');

/**
 * A URL and a body that pass the route's shape checks, naming resources of the tenant given: every admin route
 * must have one here, so a new route cannot skip the suite below.
 */
function requestFor(
  operationId: string,
  ids: {
    flow: string;
    user: string;
    conversation?: string;
    key?: string;
    connection?: string;
    session?: string;
    secretKey?: string;
    webhook?: string;
    quickQuestion?: string;
    form?: string;
    delivery?: string;
    upload?: string;
    report?: string;
    run?: string;
  },
): { url: string; body?: unknown } {
  const report = `${BASE}/reports/${ids.report ?? ids.flow}`;
  const flow = `${BASE}/flows/${ids.flow}`;
  const table: Record<string, { url: string; body?: unknown }> = {
    adminLogout: { url: `${BASE}/auth/logout` },
    adminMe: { url: `${BASE}/me` },
    adminListUsers: { url: `${BASE}/users` },
    adminCreateUser: {
      url: `${BASE}/users`,
      body: { email: `new${++n}@example.com`, role: 'viewer', password: PASSWORD },
    },
    adminChangeUserRole: { url: `${BASE}/users/${ids.user}`, body: { role: 'editor' } },
    adminRemoveUser: { url: `${BASE}/users/${ids.user}` },
    adminAuditLog: { url: `${BASE}/audit` },
    adminListFlows: { url: `${BASE}/flows` },
    adminCreateFlow: { url: `${BASE}/flows`, body: { ...exampleFlow('returns'), intent: newIntent() } },
    adminGetFlow: { url: flow },
    adminUpdateFlowDraft: { url: `${flow}/draft`, body: exampleFlow('order_status') },
    adminValidateFlow: { url: `${flow}/validate`, body: {} },
    adminPublishFlow: { url: `${flow}/publish` },
    adminUnpublishFlow: { url: `${flow}/unpublish` },
    adminListFlowVersions: { url: `${flow}/versions` },
    adminGetFlowVersion: { url: `${flow}/versions/1` },
    adminDiffFlowVersions: { url: `${flow}/diff?from=1&to=draft` },
    adminRollbackFlow: { url: `${flow}/rollback`, body: { version: 1 } },
    adminOpenTestSession: { url: `${flow}/test-sessions` },
    adminListWidgetKeys: { url: `${BASE}/widget-keys` },
    adminCreateWidgetKey: {
      url: `${BASE}/widget-keys`,
      body: { label: 'New', origins: ['https://shop.example'], allIntents: true },
    },
    adminUpdateWidgetKey: { url: `${BASE}/widget-keys/${ids.key ?? ids.flow}`, body: { label: 'Renamed' } },
    adminRevokeWidgetKey: { url: `${BASE}/widget-keys/${ids.key ?? ids.flow}/revoke` },
    adminListConnections: { url: `${BASE}/connections` },
    adminCreateConnection: { url: `${BASE}/connections`, body: { name: `api_${++n}`, baseUrl: 'https://api.example' } },
    adminUpdateConnection: {
      url: `${BASE}/connections/${ids.connection ?? 'none'}`,
      body: { baseUrl: 'https://api2.example' },
    },
    adminTestConnection: { url: `${BASE}/connections/${ids.connection ?? 'none'}/test`, body: {} },
    adminDeleteConnection: { url: `${BASE}/connections/${ids.connection ?? 'none'}` },
    adminRevokeSession: { url: `${BASE}/sessions/${ids.session ?? ids.flow}/revoke` },
    adminListSecretKeys: { url: `${BASE}/secret-keys` },
    adminCreateSecretKey: { url: `${BASE}/secret-keys`, body: { label: 'Backend', scopes: ['engine:read'] } },
    adminRevokeSecretKey: { url: `${BASE}/secret-keys/${ids.secretKey ?? ids.flow}/revoke` },
    adminListWebhooks: { url: `${BASE}/webhooks` },
    adminCreateWebhook: {
      url: `${BASE}/webhooks`,
      body: { url: 'http://127.0.0.1:9/in', eventTypes: ['chat.session.created'] },
    },
    adminWebhookDeliveries: { url: `${BASE}/webhooks/deliveries` },
    adminDisableWebhook: { url: `${BASE}/webhooks/${ids.webhook ?? ids.flow}/disable` },
    adminEnableWebhook: { url: `${BASE}/webhooks/${ids.webhook ?? ids.flow}/enable` },
    adminDeleteWebhook: { url: `${BASE}/webhooks/${ids.webhook ?? ids.flow}` },
    adminRedeliverWebhook: { url: `${BASE}/webhooks/deliveries/${ids.delivery ?? ids.flow}/redeliver` },
    adminListFormSubmissions: { url: `${BASE}/forms/${ids.form ?? ids.flow}/submissions` },
    adminDownloadUpload: { url: `${BASE}/uploads/${ids.upload ?? ids.flow}` },
    adminListForms: { url: `${BASE}/forms` },
    adminGetForm: { url: `${BASE}/forms/${ids.form ?? ids.flow}` },
    adminSaveFormDraft: { url: `${BASE}/forms`, body: { ...contactForm, title: 'Contact us (edited)' } },
    adminPublishForm: { url: `${BASE}/forms/${ids.form ?? ids.flow}/publish` },
    adminListQuickQuestions: { url: `${BASE}/quick-questions` },
    adminAddQuickQuestion: { url: `${BASE}/quick-questions`, body: { text: 'Where is my order?' } },
    adminRemoveQuickQuestion: { url: `${BASE}/quick-questions/${ids.quickQuestion ?? ids.flow}` },
    adminListConfigSections: { url: `${BASE}/config` },
    adminSetConfigSection: { url: `${BASE}/config/support`, body: { values: { hours: '9-17' }, isPublic: true } },
    adminPendingWidgetSettings: { url: `${BASE}/widget-settings` },
    adminPublishWidgetSettings: { url: `${BASE}/widget-settings/publish` },
    adminListPrices: { url: `${BASE}/prices` },
    adminSetPrice: { url: `${BASE}/prices`, body: { model: 'gpt-test', prompt: '2.5', completion: '10' } },
    adminUsage: { url: `${BASE}/usage?kind=tokens` },
    adminSetRetention: { url: `${BASE}/retention`, body: { retentionDays: 30 } },
    adminAnalyticsQuery: {
      url: `${BASE}/analytics/query`,
      body: { metrics: ['sessions'], range: { preset: 'last_7_days' }, granularity: 'day' },
    },
    adminGetTimeZone: { url: `${BASE}/time-zone` },
    adminSetTimeZone: { url: `${BASE}/time-zone`, body: { timeZone: 'Asia/Kolkata' } },
    adminExportCustomer: { url: `${BASE}/customers/u-42/export` },
    adminDeleteCustomer: { url: `${BASE}/customers/u-42` },
    adminListReports: { url: `${BASE}/reports` },
    adminCreateReport: {
      url: `${BASE}/reports`,
      body: { name: `Sessions ${++n}`, definition: { metrics: ['sessions'], range: { preset: 'last_7_days' } } },
    },
    adminReorderPinnedReports: { url: `${BASE}/reports/pinned`, body: { reportIds: [] } },
    adminGetReport: { url: report },
    adminUpdateReport: { url: report, body: { name: 'Renamed report' } },
    adminRunReport: { url: `${report}/run` },
    adminListReportRuns: { url: `${report}/runs` },
    adminGetReportRun: { url: `${report}/runs/${ids.run ?? ids.flow}` },
    adminExportReportRun: { url: `${report}/runs/${ids.run ?? ids.flow}/export?format=csv` },
    adminSetReportSchedule: { url: `${report}/schedule`, body: { cron: '0 8 * * MON', timeZone: 'Europe/Paris' } },
    adminDeleteReportSchedule: { url: `${report}/schedule` },
    adminPinReport: { url: `${report}/pin` },
    adminUnpinReport: { url: `${report}/unpin` },
    adminDeleteReport: { url: report },
    adminSearchConversations: { url: `${BASE}/conversations?customerId=u-1` },
    adminGetConversation: {
      url: `${BASE}/conversations/${ids.conversation ?? '00000000-0000-0000-0000-000000000000'}`,
    },
  };
  const found = table[operationId];
  if (!found) throw new Error(`${operationId}: add a request for it to this suite`);
  return found;
}

function newIntent() {
  return { name: `intent_${++n}`, description: 'A new intent', examples: [], required_entities: [] };
}

/** Routes about one resource: another tenant's id must look like none. */
const ABOUT_A_RESOURCE = (path: string) => path.includes('{id}') || path.includes('{name}');

/** A connection and a widget session of the tenant, for the routes about them. */
async function connectionAndSession(tenantId: string, publicKey: string, name: string) {
  await createConnection(t.ctx, { tenantId, name, baseUrl: 'http://127.0.0.1:9' });
  const secret = await createSecretKey(t.ctx, { tenantId, label: name, scopes: ['engine:read'] });
  const hook = await createWebhookEndpoint(t.ctx, {
    tenantId,
    url: 'http://127.0.0.1:9/in',
    eventTypes: ['chat.session.created'],
  });
  const { form } = await importForm(t.ctx, tenantId, contactForm);
  const delivery = await endedDelivery(tenantId, hook.endpoint.id);
  const upload = await uploadedFile(tenantId, form.id);
  const question = await addQuickQuestion(t.ctx, tenantId, { text: `Hello from ${name}` });
  const { report, run } = await reportWithRun(tenantId, name);
  const w = new Widget(t.app);
  const conversationId = String((await w.open(publicKey)).body.conversationId);
  const session = await t.ctx.kysely
    .selectFrom('sessions')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return {
    connection: name,
    session: session.id,
    conversation: conversationId,
    secretKey: secret.row.id,
    webhook: hook.endpoint.id,
    quickQuestion: question.id,
    form: form.id,
    delivery,
    upload,
    report,
    run,
  };
}

/** A saved report with a stored run (as a run leaves it), for the report routes. */
async function reportWithRun(tenantId: string, name: string): Promise<{ report: string; run: string }> {
  const report = await createReport(t.ctx, {
    tenantId,
    name: `Sessions of ${name}`,
    definition: { metrics: ['sessions'], range: { preset: 'last_7_days' } },
  });
  const run = randomUUID();
  await t.ctx.kysely
    .insertInto('report_runs')
    .values({
      id: run,
      tenant_id: tenantId,
      report_id: report.id,
      trigger: 'manual',
      scheduled_for: null,
      status: 'completed',
      definition: JSON.stringify(report.definition),
      result: JSON.stringify({
        columns: [{ name: 'sessions', kind: 'metric' }],
        rows: [[3]],
        timeZone: 'UTC',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-01-08T00:00:00.000Z',
        granularity: null,
      }),
      row_count: 1,
      error: null,
      started_at: new Date(),
      completed_at: new Date(),
    })
    .execute();
  return { report: report.id, run };
}

/** A file a visitor uploaded to the form (`<b>` inside: it must go out as an attachment, never rendered). */
async function uploadedFile(tenantId: string, formId: string): Promise<string> {
  const bytes = Buffer.from('<html><b>not for rendering</b></html>');
  const storageName = randomUUID().replaceAll('-', '');
  const key = await t.ctx.kysely
    .selectFrom('public_keys')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  await t.ctx.blobs.put(tenantId, storageName, bytes);
  const row = await insertUpload(t.ctx.kysely, {
    id: randomUUID(),
    tenant_id: tenantId,
    public_key_id: key.id,
    form_id: formId,
    conversation_id: null,
    execution_id: null,
    field: 'attachment',
    name: 'résumé.html',
    storage_name: storageName,
    size: bytes.length,
    content_type: 'text/html',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    expires_at: new Date(Date.now() + 3_600_000),
  });
  return row.id;
}

/** A delivery that failed for good, as the relay and its retries would leave it: one a redelivery may follow. */
async function endedDelivery(tenantId: string, endpointId: string): Promise<string> {
  const eventId = randomUUID();
  const id = randomUUID();
  await t.ctx.kysely
    .insertInto('webhook_events')
    .values({ id: eventId, tenant_id: tenantId, type: 'chat.session.created', payload: {}, created_at: new Date() })
    .execute();
  await t.ctx.kysely
    .insertInto('webhook_deliveries')
    .values({
      id,
      tenant_id: tenantId,
      endpoint_id: endpointId,
      event_id: eventId,
      redelivery_of: null,
      status: 'failed',
      attempts: 8,
      queued: true,
      next_attempt_at: new Date(),
      locked_until: null,
      last_response_status: 500,
      created_at: new Date(),
      updated_at: new Date(),
      completed_at: new Date(),
    })
    .execute();
  return id;
}

describe('every admin route (table-driven from the route declarations)', () => {
  let a: Tenant;
  let b: Tenant;
  let owner: Awaited<ReturnType<typeof userOf>>;
  let viewer: Awaited<ReturnType<typeof userOf>>;
  type Ids = {
    flow: string;
    user: string;
    conversation: string;
    key: string;
    connection: string;
    session: string;
    secretKey: string;
    webhook: string;
    quickQuestion: string;
    form: string;
    delivery: string;
    upload: string;
    report: string;
    run: string;
  };
  let idsA: Ids;
  let idsB: Ids;

  beforeAll(async () => {
    const seededA = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    const seededB = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    a = seededA.tenant;
    b = seededB.tenant;
    owner = await userOf(a, 'owner');
    viewer = await userOf(a, 'viewer');
    const ownerB = await userOf(b, 'owner');
    const editorA = await userOf(a, 'editor');
    const editorB = await userOf(b, 'editor');
    idsA = {
      flow: flowId(await owner.panel.call('GET', `${BASE}/flows`)),
      user: editorA.id,
      key: seededA.key.id,
      ...(await connectionAndSession(a.id, seededA.key.key, 'a_api')),
    };
    idsB = {
      flow: flowId(await ownerB.panel.call('GET', `${BASE}/flows`)),
      user: editorB.id,
      key: seededB.key.id,
      ...(await connectionAndSession(b.id, seededB.key.key, 'b_only_api')),
    };
  });

  it('declares every admin route but login with auth admin', () => {
    expect(adminRoutes.filter((r) => r.auth !== 'admin').map((r) => r.operationId)).toEqual(['adminLogin']);
    expect(guarded.length).toBeGreaterThan(10);
  });

  it('no session → 401 unauthenticated', async () => {
    const anonymous = new Panel();
    for (const route of guarded) {
      const { url, body } = requestFor(route.operationId, idsA);
      const res = await anonymous.call(route.method, url, body);
      expect([route.operationId, res.status, res.body.error]).toMatchObject([
        route.operationId,
        401,
        { code: 'unauthenticated' },
      ]);
    }
  });

  it('a change without the CSRF token → 403 csrf_failed (and a wrong token too)', async () => {
    for (const route of guarded.filter((r) => r.method !== 'GET')) {
      const { url, body } = requestFor(route.operationId, idsA);
      const res = await owner.panel.call(route.method, url, body, { csrf: false });
      expect([route.operationId, res.status, res.body.error]).toMatchObject([
        route.operationId,
        403,
        { code: 'csrf_failed' },
      ]);
    }
    const other = new Panel();
    other.cookie = owner.panel.cookie;
    other.csrf = viewer.panel.csrf;
    const res = await other.call('POST', `${BASE}/flows/${idsA.flow}/publish`);
    expect(res.body.error).toMatchObject({ code: 'csrf_failed' });
  });

  it('a role below the route’s → 403 forbidden, before anything is read or written', async () => {
    const below = guarded.filter((r) => !roleAtLeast('viewer', adminRoleOf(r)));
    expect(below.map((r) => r.operationId)).toContain('adminPublishFlow');
    expect(below.map((r) => r.operationId)).toContain('adminListUsers');
    const audit = await auditCount(a.id);
    for (const route of below) {
      const { url, body } = requestFor(route.operationId, idsA);
      const res = await viewer.panel.call(route.method, url, body);
      expect([route.operationId, res.status, res.body.error]).toMatchObject([
        route.operationId,
        403,
        { code: 'forbidden', details: { requiredRole: adminRoleOf(route) } },
      ]);
    }
    expect(await auditCount(a.id)).toBe(audit);
  });

  it("another tenant's ids → 404 not_found", async () => {
    const about = guarded.filter((r) => ABOUT_A_RESOURCE(r.path));
    expect(about.length).toBeGreaterThan(5);
    const audit = await auditCount(b.id);
    for (const route of about) {
      const { url, body } = requestFor(route.operationId, idsB);
      const res = await owner.panel.call(route.method, url, body);
      expect([route.operationId, res.status, res.body.error]).toMatchObject([
        route.operationId,
        404,
        { code: 'not_found' },
      ]);
    }
    expect(await auditCount(b.id)).toBe(audit);
  });
});

describe('forms through the admin API', () => {
  it("downloads a form upload as an attachment, never sniffed, sandboxed; another tenant's is 404", async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const other = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const viewer = await userOf(tenant, 'viewer');
    const ids = await connectionAndSession(tenant.id, key.key, 'files_api');
    const res = await t.app.inject({
      method: 'GET',
      url: `${BASE}/uploads/${ids.upload}`,
      headers: { cookie: viewer.panel.cookie! },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<html><b>not for rendering</b></html>');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="r_sum_.html"; filename\*=UTF-8''r%C3%A9sum%C3%A9.html$/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain('sandbox');
    const otherOwner = await userOf(other.tenant, 'owner');
    expect((await otherOwner.panel.call('GET', `${BASE}/uploads/${ids.upload}`)).status).toBe(404);
    const listed = await viewer.panel.call('GET', `${BASE}/forms`);
    expect((listed.body.forms as { code: string }[]).map((f) => f.code)).toEqual(['contact']);
    const detail = await viewer.panel.call('GET', `${BASE}/forms/${ids.form}`);
    expect(detail.body).toMatchObject({ code: 'contact', published: null });
    const submissions = await viewer.panel.call('GET', `${BASE}/forms/${ids.form}/submissions?limit=5`);
    expect(submissions.body).toEqual({ submissions: [], nextCursor: null });
  });
});

async function auditCount(tenantId: string): Promise<number> {
  const rows = await t.ctx.kysely.selectFrom('audit_log').select('id').where('tenant_id', '=', tenantId).execute();
  return rows.length;
}

async function lastAudit(tenantId: string) {
  return t.ctx.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

describe('the audit log', () => {
  /** POSTs that change nothing (so they write no entry). */
  const READ_ONLY = new Set(['adminValidateFlow', 'adminTestConnection', 'adminAnalyticsQuery']);
  const EXPECTED: Record<string, string> = {
    adminLogin: 'admin_session.login',
    adminLogout: 'admin_session.logout',
    adminCreateUser: 'admin_user.create',
    adminChangeUserRole: 'admin_user.role',
    adminRemoveUser: 'admin_user.remove',
    adminCreateFlow: 'flow.create',
    adminUpdateFlowDraft: 'flow.update_draft',
    adminPublishFlow: 'flow.publish',
    adminUnpublishFlow: 'flow.unpublish',
    adminRollbackFlow: 'flow.rollback',
    adminOpenTestSession: 'flow.test_session',
    adminCreateWidgetKey: 'widget_key.create',
    adminUpdateWidgetKey: 'widget_key.update',
    adminRevokeWidgetKey: 'widget_key.revoke',
    adminCreateConnection: 'connection.create',
    adminUpdateConnection: 'connection.update',
    adminDeleteConnection: 'connection.delete',
    adminRevokeSession: 'session.revoke',
    adminCreateSecretKey: 'secret_key.create',
    adminRevokeSecretKey: 'secret_key.revoke',
    adminCreateWebhook: 'webhook.create',
    adminDisableWebhook: 'webhook.disable',
    adminEnableWebhook: 'webhook.enable',
    adminDeleteWebhook: 'webhook.delete',
    adminRedeliverWebhook: 'webhook.redeliver',
    adminSaveFormDraft: 'form.update_draft',
    adminPublishForm: 'form.publish',
    adminAddQuickQuestion: 'quick_question.add',
    adminRemoveQuickQuestion: 'quick_question.remove',
    adminSetConfigSection: 'config_section.set',
    adminPublishWidgetSettings: 'widget_settings.publish',
    adminSetPrice: 'price.set',
    adminSetRetention: 'tenant.retention',
    adminSetTimeZone: 'tenant.time_zone',
    adminDeleteCustomer: 'customer.delete',
    adminCreateReport: 'report.create',
    adminReorderPinnedReports: 'report.reorder',
    adminUpdateReport: 'report.update',
    adminRunReport: 'report.run',
    adminSetReportSchedule: 'report.schedule',
    adminDeleteReportSchedule: 'report.unschedule',
    adminPinReport: 'report.pin',
    adminUnpinReport: 'report.unpin',
    adminDeleteReport: 'report.delete',
  };

  it('every change through the admin API writes its entry: who, what, which, digests', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const owner = await userOf(tenant, 'owner');
    // A viewer, so the request's role change (to editor) is a change.
    const other = await userOf(tenant, 'viewer');
    const ids = {
      flow: flowId(await owner.panel.call('GET', `${BASE}/flows`)),
      user: other.id,
      key: key.id,
      ...(await connectionAndSession(tenant.id, key.key, 'audited_api')),
    };
    // Order matters only for the customer's deletion, which takes the session and conversation the others name,
    // and for logout, which ends the session the others use.
    const LAST = ['adminDeleteCustomer', 'adminLogout'];
    const writes = adminRoutes
      .filter((r) => r.method !== 'GET')
      .sort((x, y) => LAST.indexOf(x.operationId) - LAST.indexOf(y.operationId));
    for (const route of writes) {
      const before = await auditCount(tenant.id);
      const res =
        route.operationId === 'adminLogin'
          ? await new Panel().login(owner.email)
          : await owner.panel.call(route.method, ...(Object.values(requestFor(route.operationId, ids)) as [string]));
      expect([route.operationId, res.status]).toEqual([route.operationId, route.response.status]);
      if (READ_ONLY.has(route.operationId)) {
        expect(await auditCount(tenant.id), route.operationId).toBe(before);
        continue;
      }
      const action = EXPECTED[route.operationId];
      expect(action, `${route.operationId}: name its audit action in this suite`).toBeDefined();
      expect(await auditCount(tenant.id), route.operationId).toBe(before + 1);
      const entry = await lastAudit(tenant.id);
      expect(entry, route.operationId).toMatchObject({ action, actor: `admin:${owner.id}` });
      expect(entry!.target.length, route.operationId).toBeGreaterThan(0);
      expect(entry!.created_at).toBeInstanceOf(Date);
    }
    const changed = await t.ctx.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'flow.update_draft')
      .executeTakeFirstOrThrow();
    expect(changed.before_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(changed.after_digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the owner reads it, newest first, with a cursor', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    const owner = await userOf(tenant, 'owner');
    const first = await owner.panel.call('GET', `${BASE}/audit?limit=1`);
    expect(first.status).toBe(200);
    const entries = first.body.entries as { id: number; action: string }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]!.action).toBe('admin_session.login');
    const next = await owner.panel.call('GET', `${BASE}/audit?limit=50&before=${String(first.body.nextBefore)}`);
    const older = (next.body.entries as { action: string }[]).map((e) => e.action);
    expect(older).toContain('admin_user.create');
    expect(older).toContain('flow.publish');
  });
});

describe('login', () => {
  it('sets an HttpOnly SameSite=Lax cookie, rotates it at each login, and logout ends it', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const { email, panel } = await userOf(tenant, 'editor');
    const first = panel.cookie;
    const again = await panel.login(email);
    const setCookie = String(again.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(panel.cookie).not.toBe(first);
    const stale = new Panel();
    stale.cookie = first;
    expect((await stale.call('GET', `${BASE}/me`)).body.error).toMatchObject({ code: 'unauthenticated' });
    const me = await panel.call('GET', `${BASE}/me`);
    expect(me.body).toMatchObject({ user: { email, role: 'editor' }, tenantId: tenant.id, csrfToken: panel.csrf });
    expect((await panel.call('POST', `${BASE}/auth/logout`)).status).toBe(204);
    expect((await panel.call('GET', `${BASE}/me`)).status).toBe(401);
  });

  it('a wrong password and an unknown email get the same 401', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const { email } = await userOf(tenant, 'viewer');
    const wrong = await new Panel().login(email, 'not the password');
    const unknown = await new Panel().login('nobody@example.com', PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      code: 'unauthenticated',
      message: unknown.body.error && 'The email or password is wrong.',
    });
    expect((unknown.body.error as { message: string }).message).toBe((wrong.body.error as { message: string }).message);
  });

  it('ten wrong passwords lock the account: the eleventh try, right password or not, is 429 until the lock ends', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const { email } = await userOf(tenant, 'owner');
    let now = new Date('2030-01-01T00:00:00Z');
    const realClock = t.ctx.clock;
    t.ctx.clock = () => now;
    try {
      for (let i = 0; i < LOCK_AFTER_FAILURES; i++) {
        expect((await new Panel().login(email, `wrong ${i}`)).status).toBe(401);
      }
      const locked = await new Panel().login(email);
      expect(locked.status).toBe(429);
      expect(locked.body.error).toMatchObject({ code: 'rate_limited', retryable: true });
      expect(locked.headers['retry-after']).toBe(String(LOCK_MS / 1000));
      now = new Date(now.getTime() + LOCK_MS - 1000);
      const still = await new Panel().login(email);
      expect(still.status).toBe(429);
      expect(still.headers['retry-after']).toBe('1');
      now = new Date(now.getTime() + 1000);
      expect((await new Panel().login(email)).status).toBe(200);
      // The count starts again after a success: nine failures do not lock.
      for (let i = 0; i < LOCK_AFTER_FAILURES - 1; i++) await new Panel().login(email, 'wrong');
      expect((await new Panel().login(email)).status).toBe(200);
    } finally {
      t.ctx.clock = realClock;
    }
  });
});

describe('users and roles', () => {
  it('an owner adds users and changes roles; the last owner cannot be demoted', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const owner = await userOf(tenant, 'owner');
    const created = await owner.panel.call('POST', `${BASE}/users`, {
      email: 'Someone@Example.com',
      role: 'viewer',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'someone@example.com', role: 'viewer' });
    expect(created.body).not.toHaveProperty('password_hash');
    const dup = await owner.panel.call('POST', `${BASE}/users`, {
      email: 'someone@example.com',
      role: 'viewer',
      password: PASSWORD,
    });
    expect(dup.status).toBe(422);
    const someone = new Panel();
    expect((await someone.login('someone@example.com')).status).toBe(200);
    expect((await someone.call('POST', `${BASE}/flows`, exampleFlow('returns'))).status).toBe(403);
    const promoted = await owner.panel.call('PATCH', `${BASE}/users/${String(created.body.id)}`, { role: 'editor' });
    expect(promoted.body).toMatchObject({ role: 'editor' });
    // The role is read with the session on every request: the promotion applies at once.
    expect((await someone.call('POST', `${BASE}/flows`, exampleFlow('returns'))).status).toBe(201);
    const last = await owner.panel.call('PATCH', `${BASE}/users/${owner.id}`, { role: 'viewer' });
    expect(last.status).toBe(422);
    expect(last.body.error).toMatchObject({ details: { fields: [{ rule: 'last_owner' }] } });
  });

  it('an owner removes a user, whose session ends at once; not themselves, and never the last owner', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const owner = await userOf(tenant, 'owner');
    const other = await userOf(tenant, 'owner');
    const self = await owner.panel.call('DELETE', `${BASE}/users/${owner.id}`);
    expect(self.status).toBe(422);
    expect(self.body.error).toMatchObject({ details: { fields: [{ path: 'id', rule: 'self' }] } });
    const removed = await owner.panel.call('DELETE', `${BASE}/users/${other.id}`);
    expect(removed.status).toBe(204);
    expect((await other.panel.call('GET', `${BASE}/me`)).status).toBe(401);
    const listed = await owner.panel.call('GET', `${BASE}/users`);
    expect((listed.body.users as { id: string }[]).map((u) => u.id)).toEqual([owner.id]);
    expect((await owner.panel.call('DELETE', `${BASE}/users/${other.id}`)).status).toBe(404);
    const entry = await lastAudit(tenant.id);
    expect(entry).toMatchObject({ action: 'admin_user.remove', target: other.id, after_digest: null });
    expect(entry!.before_digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('admin:create prints a generated password that logs in; admin:reset-password replaces it and ends sessions', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
    const email = `cli${++n}@example.com`;
    const password = await runCommand(t.ctx, { command: 'admin:create', tenant: tenant.slug, email, role: 'editor' });
    expect(password.length).toBeGreaterThanOrEqual(20);
    const panel = new Panel();
    expect((await panel.login(email, password)).status).toBe(200);
    const row = await t.ctx.kysely
      .selectFrom('admin_users')
      .select('password_hash')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain(password);
    const fresh = await runCommand(t.ctx, { command: 'admin:reset-password', tenant: tenant.slug, email });
    expect((await panel.call('GET', `${BASE}/me`)).status).toBe(401);
    expect((await new Panel().login(email, password)).status).toBe(401);
    expect((await new Panel().login(email, fresh)).status).toBe(200);
  });
});

describe('widget settings through the admin API', () => {
  it('names what a publish would change, before and after publishing, without writing anything', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    const { panel } = await userOf(tenant, 'editor');
    const viewer = await userOf(tenant, 'viewer');
    const first = await viewer.panel.call('GET', `${BASE}/widget-settings`);
    expect(first.body).toEqual({ published: null, changed: ['quickQuestions', 'config', 'forms'] });
    const published = await panel.call('POST', `${BASE}/widget-settings/publish`);
    const audit = await auditCount(tenant.id);
    expect((await viewer.panel.call('GET', `${BASE}/widget-settings`)).body).toEqual({
      published: { contentHash: published.body.contentHash, builtAt: published.body.builtAt },
      changed: [],
    });
    await panel.call('POST', `${BASE}/quick-questions`, { text: 'Where is my order?' });
    expect((await viewer.panel.call('GET', `${BASE}/widget-settings`)).body).toMatchObject({
      changed: ['quickQuestions'],
    });
    const again = await panel.call('POST', `${BASE}/widget-settings/publish`);
    expect(again.body.changed).toEqual(['quickQuestions']);
    expect((await viewer.panel.call('GET', `${BASE}/widget-settings`)).body).toMatchObject({ changed: [] });
    // The reads wrote nothing: only the question and the second publish are in the log.
    expect(await auditCount(tenant.id)).toBe(audit + 2);
  });
});

describe('flows by id', () => {
  it('a flow created and published through the admin API equals the same JSON imported with the CLI', async () => {
    const viaApi = (await seedTenant(t.ctx, { flows: [], key: { allIntents: true } })).tenant;
    const viaCli = (await seedTenant(t.ctx, { flows: [], key: { allIntents: true } })).tenant;
    const { panel } = await userOf(viaApi, 'editor');
    const created = await panel.call('POST', `${BASE}/flows`, exampleFlow('order_status'));
    expect(created.status).toBe(201);
    const published = await panel.call('POST', `${BASE}/flows/${String(created.body.id)}/publish`);
    expect(published.body).toMatchObject({ version: 1, published: true });
    await runCommand(t.ctx, {
      command: 'flow:import',
      tenant: viaCli.slug,
      definition: exampleFlow('order_status'),
      publish: true,
    });
    const definitionOf = async (tenantId: string) =>
      await t.ctx.kysely
        .selectFrom('flows')
        .innerJoin('flow_versions', 'flow_versions.id', 'flows.published_version_id')
        .select(['flow_versions.definition', 'flow_versions.version'])
        .where('flows.tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
    expect(await definitionOf(viaApi.id)).toEqual(await definitionOf(viaCli.id));
  });

  it('an invalid draft is refused with every problem and its node id; validate lists them without saving', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    const { panel } = await userOf(tenant, 'viewer');
    const id = flowId(await panel.call('GET', `${BASE}/flows`));
    const broken = exampleFlow('order_status') as { nodes: { id: string; type: string }[] };
    broken.nodes = broken.nodes.map((node) => (node.id === 'known' ? { ...node, expression: undefined } : node));
    const checked = await panel.call('POST', `${BASE}/flows/${id}/validate`, { definition: broken });
    expect(checked.status).toBe(200);
    expect(checked.body.valid).toBe(false);
    expect(checked.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ nodeId: 'known' })]));
    const saved = await panel.call('POST', `${BASE}/flows/${id}/validate`, {});
    expect(saved.body).toEqual({ valid: true, problems: [] });
  });

  it('a diff names the changed nodes; a rollback publishes the earlier version and a waiting execution finishes on its own', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const { panel } = await userOf(tenant, 'editor');
    const id = flowId(await panel.call('GET', `${BASE}/flows`));

    // A visitor starts on version 1 and waits at the order-number form.
    const w = new Widget(t.app);
    await w.open(key.key);
    const ask = await w.trigger('order_status');
    expect(ask.body.status).toBe('waiting_input');

    const v2 = exampleFlow('order_status') as { nodes: Record<string, unknown>[] };
    v2.nodes = v2.nodes.map((node) =>
      node.id === 'shipped' ? { ...node, blocks: [{ type: 'text', text: 'Version two says: shipped.' }] } : node,
    );
    expect((await panel.call('PUT', `${BASE}/flows/${id}/draft`, v2)).status).toBe(200);
    const draftDiff = await panel.call('GET', `${BASE}/flows/${id}/diff?from=1&to=draft`);
    expect(draftDiff.body).toMatchObject({ nodes: { changed: ['shipped'], added: [], removed: [] } });
    expect((await panel.call('POST', `${BASE}/flows/${id}/publish`)).body).toMatchObject({ version: 2 });
    const diff = await panel.call('GET', `${BASE}/flows/${id}/diff?from=1&to=2`);
    expect(diff.body).toMatchObject({
      from: 1,
      to: 2,
      nodes: { changed: ['shipped'] },
      edges: { added: [], removed: [] },
    });

    const fresh = new Widget(t.app);
    await fresh.open(key.key);
    const onV2 = await fresh.resume(await fresh.trigger('order_status'), { order_number: '12345' });
    expect(JSON.stringify(onV2.body.blocks)).toContain('Version two says');
    // Another visitor waits on version 2 when it is rolled back.
    const w2 = new Widget(t.app);
    await w2.open(key.key);
    const askV2 = await w2.trigger('order_status');
    expect(askV2.body.status).toBe('waiting_input');

    const rolledBack = await panel.call('POST', `${BASE}/flows/${id}/rollback`, { version: 1 });
    expect(rolledBack.body).toMatchObject({ version: 1, published: true });
    const versions = await panel.call('GET', `${BASE}/flows/${id}/versions`);
    expect(versions.body.versions).toMatchObject([
      { version: 2, published: false },
      { version: 1, published: true },
    ]);
    const onV1 = new Widget(t.app);
    await onV1.open(key.key);
    const back = await onV1.resume(await onV1.trigger('order_status'), { order_number: '12345' });
    expect(JSON.stringify(back.body.blocks)).not.toContain('Version two says');
    expect(JSON.stringify(back.body.blocks)).toContain('has shipped');

    // Each waiting execution finishes on the version it started on, whatever was published meanwhile.
    const doneV2 = await w2.resume(askV2, { order_number: '12345' });
    expect(doneV2.body.status).toBe('completed');
    expect(JSON.stringify(doneV2.body.blocks)).toContain('Version two says');
    const done = await w.resume(ask, { order_number: '12345' });
    expect(done.body.status).toBe('completed');
    expect(JSON.stringify(done.body.blocks)).not.toContain('Version two says');
  });
});

describe('test sessions', () => {
  it('run the draft through /chat/messages from the panel origin while widget keys still see the published version', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const { panel } = await userOf(tenant, 'editor');
    const id = flowId(await panel.call('GET', `${BASE}/flows`));
    const draft = exampleFlow('order_status') as { nodes: Record<string, unknown>[] };
    draft.nodes = draft.nodes.map((node) =>
      node.id === 'greet' ? { ...node, blocks: [{ type: 'text', text: 'Draft greeting.' }] } : node,
    );
    expect((await panel.call('PUT', `${BASE}/flows/${id}/draft`, draft)).status).toBe(200);

    const opened = await panel.call('POST', `${BASE}/flows/${id}/test-sessions`);
    expect(opened.status).toBe(201);
    expect(opened.body.intents).toMatchObject([{ name: 'order_status' }]);
    const pane = new Widget(t.app, new URL(t.ctx.config.publicUrl).origin);
    pane.token = String(opened.body.sessionToken);
    const turn = await pane.trigger('order_status');
    expect(turn.status).toBe(200);
    expect(JSON.stringify(turn.body.blocks)).toContain('Draft greeting.');
    const done = await pane.resume(turn, { order_number: '12345' });
    expect(done.body.status).toBe('completed');

    // Another origin may not use the test session.
    const elsewhere = new Widget(t.app);
    elsewhere.token = pane.token;
    expect((await elsewhere.trigger('order_status')).status).toBe(403);
    // The session runs its own flow only.
    expect((await pane.trigger('returns')).body.error).toMatchObject({ code: 'intent_not_matched' });

    const visitor = new Widget(t.app);
    const session = await visitor.open(key.key);
    expect((session.body.intents as { name: string }[]).map((i) => i.name)).toEqual(['order_status']);
    const published = await visitor.trigger('order_status');
    expect(JSON.stringify(published.body.blocks)).not.toContain('Draft greeting.');

    const executions = await t.ctx.kysely
      .selectFrom('executions')
      .select(['id', 'test', 'flow_version_id'])
      .where('tenant_id', '=', tenant.id)
      .execute();
    const testRuns = executions.filter((e) => e.test);
    expect(testRuns.map((e) => e.id)).toEqual([String(turn.body.executionId)]);
    expect(testRuns[0]!.flow_version_id).toBe(opened.body.testVersionId);
    expect(executions.find((e) => e.id === String(published.body.executionId))!.test).toBe(false);

    // The snapshot is no version of the flow, and no widget key lists the pane's key.
    const versions = await panel.call('GET', `${BASE}/flows/${id}/versions`);
    expect((versions.body.versions as { id: string }[]).map((v) => v.id)).not.toContain(opened.body.testVersionId);
    const keys = await runCommand(t.ctx, { command: 'widget-key:list', tenant: tenant.slug });
    expect(keys).not.toContain('test pane');
    expect(keys).not.toContain('pk_test_pane');
    // Publishing afterwards still makes version 2, not a copy of the snapshot.
    expect((await panel.call('POST', `${BASE}/flows/${id}/publish`)).body).toMatchObject({ version: 2 });
  });
});

describe('conversation history', () => {
  it('finds a conversation by customer and by intent; its view shows variables, blocks and the step trace', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status'), exampleFlow('returns')],
      key: { allIntents: true },
    });
    const { panel } = await userOf(tenant, 'viewer');
    const w = new Widget(t.app);
    const opened = await w.open(key.key, { customerId: 'customer-history-1', variables: { cart_total: 42 } });
    const conversationId = String(opened.body.conversationId);
    const ask = await w.trigger('order_status');
    await w.resume(ask, { order_number: '12345' });
    const other = new Widget(t.app);
    await other.open(key.key, { customerId: 'customer-history-2' });
    await other.trigger('returns');

    const byCustomer = await panel.call('GET', `${BASE}/conversations?customerId=customer-history-1`);
    expect(byCustomer.status).toBe(200);
    expect(byCustomer.body.items).toMatchObject([{ conversationId, customerId: 'customer-history-1', executions: 1 }]);
    const byIntent = await panel.call('GET', `${BASE}/conversations?intent=order_status`);
    expect((byIntent.body.items as { conversationId: string }[]).map((c) => c.conversationId)).toEqual([
      conversationId,
    ]);
    const byStatus = await panel.call('GET', `${BASE}/conversations?status=completed&intent=returns`);
    expect(byStatus.body.items).toEqual([]);
    const future = await panel.call('GET', `${BASE}/conversations?from=2999-01-01T00:00:00Z`);
    expect(future.body.items).toEqual([]);
    const paged = await panel.call('GET', `${BASE}/conversations?limit=1`);
    expect(paged.body.items).toHaveLength(1);
    const rest = await panel.call('GET', `${BASE}/conversations?limit=1&cursor=${String(paged.body.nextCursor)}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.items).not.toEqual(paged.body.items);

    const view = await panel.call('GET', `${BASE}/conversations/${conversationId}`);
    expect(view.status).toBe(200);
    expect(view.body.variables).toEqual({ untrusted: true, values: { cart_total: 42 } });
    const [execution] = view.body.executionDetails as { status: string; blocks: unknown[]; trace: unknown[] }[];
    expect(execution!.status).toBe('completed');
    expect(execution!.blocks.length).toBeGreaterThan(0);
    expect(execution!.trace.length).toBeGreaterThan(0);
    expect(JSON.stringify(view.body.transcript)).toContain('has shipped');
  });
});

describe('widget keys', () => {
  it('are issued, changed and revoked through the admin API under the CLI rules, within the tenant', async () => {
    const { tenant } = await seedTenant(t.ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
    const { panel } = await userOf(tenant, 'editor');
    const both = await panel.call('POST', `${BASE}/widget-keys`, {
      label: 'Both',
      origins: ['https://shop.example'],
      intents: ['order_status'],
      allIntents: true,
    });
    expect(both.status).toBe(400);
    const created = await panel.call('POST', `${BASE}/widget-keys`, {
      label: 'Shop',
      origins: ['https://shop.example'],
      intents: ['order_status'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ label: 'Shop', intents: ['order_status'], allIntents: false });
    const w = new Widget(t.app, 'https://shop.example');
    expect((await w.open(String(created.body.key))).status).toBe(201);
    const renamed = await panel.call('PATCH', `${BASE}/widget-keys/${String(created.body.id)}`, { label: 'Shop 2' });
    expect(renamed.body).toMatchObject({
      label: 'Shop 2',
      intents: ['order_status'],
      origins: ['https://shop.example'],
    });
    expect(renamed.body.rateLimits).toEqual({});
    const limited = await panel.call('PATCH', `${BASE}/widget-keys/${String(created.body.id)}`, {
      rateLimits: { messages_per_session: { max: 90, windowSeconds: 30 }, events_per_credential: { max: 10 } },
    });
    expect(limited.body).toMatchObject({
      label: 'Shop 2',
      rateLimits: { messages_per_session: { max: 90, windowSeconds: 30 }, events_per_credential: { max: 10 } },
    });
    const cleared = await panel.call('PATCH', `${BASE}/widget-keys/${String(created.body.id)}`, {
      rateLimits: { events_per_credential: null },
    });
    expect(cleared.body.rateLimits).toEqual({ messages_per_session: { max: 90, windowSeconds: 30 } });
    const perIp = await panel.call('PATCH', `${BASE}/widget-keys/${String(created.body.id)}`, {
      rateLimits: { sessions_per_ip: { max: 1000 } },
    });
    expect(perIp.status).toBe(422);
    expect(perIp.body.error).toMatchObject({
      code: 'validation_failed',
      details: { fields: [{ path: 'rateLimits.sessions_per_ip' }] },
    });
    const audited = await t.ctx.kysely
      .selectFrom('audit_log')
      .select('target')
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'widget_key.update')
      .execute();
    expect(audited.filter((a) => a.target === created.body.id)).toHaveLength(3);
    const revoked = await panel.call('POST', `${BASE}/widget-keys/${String(created.body.id)}/revoke`);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    expect((await w.trigger('order_status')).status).toBe(401);
    const listed = await panel.call('GET', `${BASE}/widget-keys`);
    expect((listed.body.keys as { id: string }[]).map((k) => k.id)).toContain(created.body.id);
  });
});

describe('connections and sessions', () => {
  it('keep secrets write-only, test against a real server, and revoke a chat session at once', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer s3cret-token' ? 200 : 401).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { tenant, key } = await seedTenant(t.ctx, {
        flows: [exampleFlow('order_status')],
        key: { allIntents: true },
      });
      const { panel } = await userOf(tenant, 'editor');
      const created = await panel.call('POST', `${BASE}/connections`, {
        name: 'orders_api',
        baseUrl: `http://127.0.0.1:${port}`,
        authType: 'bearer',
        secret: 's3cret-token',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'orders_api', authType: 'bearer', hasSecret: true });
      expect(JSON.stringify(created.body)).not.toContain('s3cret');
      const listed = await panel.call('GET', `${BASE}/connections`);
      expect(JSON.stringify(listed.body)).not.toContain('s3cret');
      expect((await panel.call('POST', `${BASE}/connections/orders_api/test`, {})).body).toMatchObject({
        ok: true,
        status: 200,
      });
      await panel.call('PATCH', `${BASE}/connections/orders_api`, { secret: 'wrong-token' });
      expect((await panel.call('POST', `${BASE}/connections/orders_api/test`, {})).body).toMatchObject({
        ok: false,
        status: 401,
      });

      const w = new Widget(t.app);
      const conversationId = String((await w.open(key.key)).body.conversationId);
      const session = await t.ctx.kysely
        .selectFrom('sessions')
        .select('id')
        .where('conversation_id', '=', conversationId)
        .executeTakeFirstOrThrow();
      const owner = await userOf(tenant, 'owner');
      const secret = await owner.panel.call('POST', `${BASE}/secret-keys`, {
        label: 'Backend',
        scopes: ['engine:read'],
      });
      expect(secret.status).toBe(201);
      const engine = (key: string) =>
        t.app.inject({
          method: 'GET',
          url: `/api/engine/v1/conversations/${conversationId}`,
          headers: { authorization: `Bearer ${key}` },
        });
      expect((await engine(String(secret.body.key))).statusCode).toBe(200);
      const listedKeys = await owner.panel.call('GET', `${BASE}/secret-keys`);
      expect(JSON.stringify(listedKeys.body)).not.toContain(String(secret.body.key));
      await owner.panel.call('POST', `${BASE}/secret-keys/${String(secret.body.id)}/revoke`);
      expect((await engine(String(secret.body.key))).statusCode).toBe(401);

      const revoked = await panel.call('POST', `${BASE}/sessions/${session.id}/revoke`);
      expect(revoked.body).toEqual({ revokedSessions: 1 });
      expect((await w.trigger('order_status')).body.error).toMatchObject({ code: 'invalid_session_token' });
      expect((await panel.call('POST', `${BASE}/sessions/${session.id}/revoke`)).body).toEqual({ revokedSessions: 0 });
    } finally {
      server.close();
    }
  });
});
