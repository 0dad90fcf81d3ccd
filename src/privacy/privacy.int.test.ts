import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { multipartBody, PDF } from '../../test/support/multipart.js';
import { tablesContaining } from '../../test/support/tablesContaining.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import type { PublicKey, Tenant } from '../db/types.js';
import { importForm } from '../forms/formService.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { createSecretKey } from '../secretKeys/secretKeyService.js';
import { createWebhookEndpoint } from '../webhooks/webhookService.js';
import { applyRetention } from './applyRetention.js';
import { dailyTotals } from './dailyTotals.js';
import { deleteCustomer } from './deleteCustomer.js';
import { purgeBlobs } from './purgeBlobs.js';

const ENGINE = '/api/engine/v1';
const contact = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'forms', 'contact.json'), 'utf8'),
) as Record<string, unknown>;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

async function engine(method: 'GET' | 'DELETE' | 'POST', url: string, key: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

interface Customer {
  customerId: string;
  conversationIds: string[];
  sessionIds: string[];
  executionIds: string[];
  submissionId: string;
  uploadId: string;
  storageName: string;
  orderId: string;
}

/** A tenant subscribed to every webhook type (so the outbox holds rows about customers) and its keys. */
async function tenantWithEverything(): Promise<{ tenant: Tenant; key: PublicKey; secret: string }> {
  const { tenant } = await seedTenant(t.ctx);
  await importForm(t.ctx, tenant.id, contact, { publish: true });
  const key = await createWidgetKey(t.ctx, {
    tenantId: tenant.id,
    label: 'all',
    origins: [ORIGIN],
    intents: ['order_status', 'returns'],
    allForms: true,
  });
  await createWebhookEndpoint(t.ctx, {
    tenantId: tenant.id,
    url: 'http://127.0.0.1:9/hook',
    eventTypes: [
      'chat.session.created',
      'chat.execution.updated',
      'chat.execution.completed',
      'form.submission.created',
      'conversion.created',
    ],
  });
  const { key: secret } = await createSecretKey(t.ctx, {
    tenantId: tenant.id,
    label: 'privacy',
    scopes: ['engine:read', 'engine:write', 'conversions:write'],
  });
  return { tenant, key, secret };
}

/** Two conversations with turns, a telemetry event, a form submission with an upload, and a conversion. */
async function customerWithData(key: PublicKey, secret: string): Promise<Customer> {
  const customerId = unique('cust');
  const c: Customer = {
    customerId,
    conversationIds: [],
    sessionIds: [],
    executionIds: [],
    submissionId: '',
    uploadId: '',
    storageName: '',
    orderId: unique('order'),
  };
  for (let i = 0; i < 2; i++) {
    const w = new Widget(t.app);
    const opened = await w.open(key.key, { customerId, variables: { plan_tier: 'gold' } });
    expect(opened.status).toBe(201);
    c.conversationIds.push(String(opened.body.conversationId));
    const ask = await w.trigger('order_status', { variables: { cart_total: 42 + i } });
    expect(ask.body.status).toBe('waiting_input');
    c.executionIds.push(String(ask.body.executionId));
    const resumed = await w.send(
      { waitToken: ask.body.waitToken, executionId: ask.body.executionId, values: { order_number: '12345' } },
      { 'idempotency-key': unique('idem') },
    );
    expect(resumed.status).toBe(200);
    const event = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/events',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${w.token}` },
      payload: JSON.stringify({ type: 'widget_open', properties: { pageType: 'product' } }),
    });
    expect(event.statusCode).toBe(202);
  }
  const sessions = await t.ctx.kysely
    .selectFrom('sessions')
    .select('id')
    .where('customer_id', '=', customerId)
    .execute();
  c.sessionIds = sessions.map((s) => s.id);

  const body = multipartBody({
    fields: {},
    file: { name: 'file', filename: 'r.pdf', type: 'application/pdf', bytes: PDF },
  });
  const uploaded = await t.app.inject({
    method: 'POST',
    url: `/api/public/v1/forms/contact/uploads?field=attachment&publicKey=${key.key}`,
    headers: { origin: ORIGIN, ...body.headers },
    payload: body.payload,
  });
  expect(uploaded.statusCode).toBe(201);
  c.uploadId = uploaded.json().fileRef.id;
  const submitted = await t.app.inject({
    method: 'POST',
    url: `/api/public/v1/forms/contact/submissions?publicKey=${key.key}`,
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    payload: JSON.stringify({
      values: { name: 'Ada', email: 'ada@example.com', message: 'My order', attachment: c.uploadId },
      metadata: { customerId },
    }),
  });
  expect(submitted.statusCode).toBe(201);
  c.submissionId = submitted.json().submissionId;
  const upload = await t.ctx.kysely
    .selectFrom('uploads')
    .select('storage_name')
    .where('id', '=', c.uploadId)
    .executeTakeFirstOrThrow();
  c.storageName = upload.storage_name;

  const conversion = await engine('POST', `${ENGINE}/conversions`, secret, {
    orderId: c.orderId,
    amount: '19.99',
    currency: 'EUR',
    customerId,
  });
  expect(conversion.status).toBe(201);
  return c;
}

const needles = (c: Customer) => [
  c.customerId,
  c.orderId,
  c.submissionId,
  c.uploadId,
  ...c.conversationIds,
  ...c.sessionIds,
  ...c.executionIds,
];

/** Every table whose schema says it references a customer, session, conversation, execution or submission. */
async function referencingColumns(): Promise<{ table: string; column: string }[]> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.column_name in ('customer_id', 'session_id', 'conversation_id', 'execution_id', 'submission_id')
    order by 1, 2`.execute(t.ctx.kysely);
  return rows.rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

async function rowsReferencing(c: Customer): Promise<string[]> {
  const ids: Record<string, string[]> = {
    customer_id: [c.customerId],
    session_id: c.sessionIds,
    conversation_id: c.conversationIds,
    execution_id: c.executionIds,
    submission_id: [c.submissionId],
  };
  const found: string[] = [];
  for (const { table, column } of await referencingColumns()) {
    const hits = await sql<{ n: string | number }>`
      select count(*) as n from ${sql.table(table)}
      where ${sql.ref(column)}::text = any(${`{${ids[column]!.join(',')}}`}::text[])`.execute(t.ctx.kysely);
    if (Number(hits.rows[0]?.n) > 0) found.push(`${table}.${column}`);
  }
  return found;
}

async function footprintOf(c: Customer): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const n of needles(c)) out[n] = await tablesContaining(t.ctx.kysely, n);
  return out;
}

describe('customer export', () => {
  it('holds both conversations with transcripts and variables, sessions, the submission, its upload, events and the conversion', async () => {
    const { key, secret } = await tenantWithEverything();
    const c = await customerWithData(key, secret);
    const res = await engine('GET', `${ENGINE}/customers/${encodeURIComponent(c.customerId)}/export`, secret);
    expect(res.status).toBe(200);
    const doc = res.body as {
      conversations: { conversationId: string; transcript: unknown[]; executions: { executionId: string }[] }[];
      sessions: { sessionId: string }[];
      formSubmissions: { submissionId: string; values: Record<string, unknown> }[];
      uploads: { uploadId: string }[];
      events: { type: string }[];
      conversions: { orderId: string; amount: string }[];
    };
    expect(doc.conversations.map((x) => x.conversationId).sort()).toEqual([...c.conversationIds].sort());
    for (const conv of doc.conversations) {
      expect(conv.transcript.length).toBeGreaterThan(0);
      expect(conv.executions).toHaveLength(1);
    }
    expect(doc.conversations.flatMap((x) => x.executions.map((e) => e.executionId)).sort()).toEqual(
      [...c.executionIds].sort(),
    );
    expect(doc.sessions.map((s) => s.sessionId).sort()).toEqual([...c.sessionIds].sort());
    expect(doc.formSubmissions).toEqual([
      expect.objectContaining({ submissionId: c.submissionId, values: expect.objectContaining({ name: 'Ada' }) }),
    ]);
    expect(doc.uploads.map((u) => u.uploadId)).toEqual([c.uploadId]);
    expect(doc.events.map((e) => e.type)).toEqual(['widget_open', 'widget_open']);
    expect(doc.conversions).toEqual([expect.objectContaining({ orderId: c.orderId, amount: '19.99' })]);
    expect(JSON.stringify(doc)).toContain('"plan_tier":"gold"');

    // The CLI prints the same document.
    const { tenant } = (await t.ctx.kysely
      .selectFrom('conversations')
      .select('tenant_id')
      .where('id', '=', c.conversationIds[0]!)
      .executeTakeFirstOrThrow()
      .then((r) => ({ tenant: r.tenant_id }))) as { tenant: string };
    const printed = JSON.parse(
      await runCommand(t.ctx, { command: 'customer:export', tenant, customerId: c.customerId }),
    );
    expect(printed.conversations).toHaveLength(2);
  });

  it('an unknown customer, or one of another tenant, is 404; a key without engine:read is 403', async () => {
    const a = await tenantWithEverything();
    const b = await tenantWithEverything();
    const c = await customerWithData(a.key, a.secret);
    const url = `${ENGINE}/customers/${encodeURIComponent(c.customerId)}/export`;
    expect((await engine('GET', url, b.secret)).status).toBe(404);
    expect((await engine('DELETE', `${ENGINE}/customers/${encodeURIComponent(c.customerId)}`, b.secret)).status).toBe(
      404,
    );
    const writer = await createSecretKey(t.ctx, { tenantId: a.tenant.id, label: 'w', scopes: ['conversions:write'] });
    const refused = await engine('GET', url, writer.key);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('forbidden');
    const deleteRefused = await engine('DELETE', `${ENGINE}/customers/${encodeURIComponent(c.customerId)}`, writer.key);
    expect(deleteRefused.status).toBe(403);
    expect(await rowsReferencing(c)).not.toEqual([]);
  });
});

describe('customer deletion', () => {
  it('leaves no row of the customer in any table the schema ties to a customer, and no blob; others untouched', async () => {
    const { tenant, key, secret } = await tenantWithEverything();
    const c = await customerWithData(key, secret);
    const other = await customerWithData(key, secret);
    const otherBefore = await footprintOf(other);
    const before = await rowsReferencing(c);
    // The check sees the customer where they are: a table it misses would not fail the test below.
    expect(before).toEqual(
      expect.arrayContaining([
        'chat_turns.conversation_id',
        'conversations.customer_id',
        'conversions.customer_id',
        'executions.conversation_id',
        'form_submissions.customer_id',
        'sessions.customer_id',
        'telemetry_events.session_id',
        'uploads.submission_id',
      ]),
    );
    // Rows that hold its ids inside JSON: the webhook outbox, stored idempotent answers.
    expect([...new Set(Object.values(await footprintOf(c)).flat())]).toEqual(
      expect.arrayContaining(['public.webhook_events', 'public.idempotency_keys']),
    );
    expect(await t.ctx.blobs.get(tenant.id, c.storageName)).toBeDefined();
    const conversionsBefore = await t.ctx.kysely
      .selectFrom('conversions')
      .select(['amount_minor', 'currency'])
      .where('tenant_id', '=', tenant.id)
      .execute();

    const res = await engine('DELETE', `${ENGINE}/customers/${encodeURIComponent(c.customerId)}`, secret);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customerId: c.customerId,
      deleted: { conversations: 2, sessions: 2, executions: 2, formSubmissions: 1, uploads: 1, events: 2 },
    });
    expect((res.body.deleted as { conversionsAnonymized: number }).conversionsAnonymized).toBe(1);
    // Audited in the deletion's transaction: by the key, with a digest of the counts, never the customer's id.
    const audit = await t.ctx.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'customer.delete')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatch(/^sk:/);
    expect(audit[0]?.after_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(audit[0]?.target).not.toContain(c.customerId);

    expect(await rowsReferencing(c)).toEqual([]);
    const left = await footprintOf(c);
    for (const [needle, tables] of Object.entries(left)) expect(tables, needle).toEqual([]);
    expect(await t.ctx.blobs.get(tenant.id, c.storageName)).toBeUndefined();
    expect(await t.ctx.kysely.selectFrom('blob_purges').selectAll().execute()).toEqual([]);
    // Revenue totals hold: the conversion stays, without the customer.
    const conversionsAfter = await t.ctx.kysely
      .selectFrom('conversions')
      .select(['amount_minor', 'currency'])
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(conversionsAfter).toEqual(conversionsBefore);

    expect(await footprintOf(other)).toEqual(otherBefore);
    expect(await t.ctx.blobs.get(tenant.id, other.storageName)).toBeDefined();

    const again = await engine('DELETE', `${ENGINE}/customers/${encodeURIComponent(c.customerId)}`, secret);
    expect(again.status).toBe(404);
    expect((again.body.error as { code: string }).code).toBe('not_found');
  });

  it("a widget's open session answers 401 once its customer is deleted", async () => {
    const { tenant, key } = await tenantWithEverything();
    const w = new Widget(t.app);
    const customerId = unique('cust');
    await w.open(key.key, { customerId });
    expect((await w.trigger('order_status')).status).toBe(200);
    await runCommand(t.ctx, { command: 'customer:delete', tenant: tenant.id, customerId });
    const after = await w.trigger('order_status');
    expect(after.status).toBe(401);
  });

  it('a failure between its writes leaves everything in place; then it deletes all of it', async () => {
    const { tenant, key, secret } = await tenantWithEverything();
    const c = await customerWithData(key, secret);
    const before = await footprintOf(c);
    // The last table the deletion writes refuses: everything before it must roll back.
    await sql
      .raw(`create or replace function privacy_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test'; end $$`)
      .execute(t.ctx.kysely);
    await sql
      .raw(`create trigger privacy_test_refuse before delete on form_submissions
      for each row execute function privacy_test_refuse()`)
      .execute(t.ctx.kysely);
    try {
      await expect(deleteCustomer(t.ctx, tenant.id, c.customerId, 'cli')).rejects.toThrow(/refused by the test/);
    } finally {
      await sql.raw('drop trigger privacy_test_refuse on form_submissions').execute(t.ctx.kysely);
    }
    expect(await footprintOf(c)).toEqual(before);
    expect(
      await t.ctx.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('tenant_id', '=', tenant.id)
        .where('action', '=', 'customer.delete')
        .execute(),
    ).toEqual([]);
    expect(await t.ctx.blobs.get(tenant.id, c.storageName)).toBeDefined();
    expect(await t.ctx.kysely.selectFrom('blob_purges').selectAll().execute()).toEqual([]);

    // The blob store failing after the commit: the bytes stay queued, and the sweep's purge removes them.
    const remove = t.ctx.blobs.delete.bind(t.ctx.blobs);
    t.ctx.blobs.delete = async () => {
      throw new Error('store down');
    };
    try {
      const done = await deleteCustomer(t.ctx, tenant.id, c.customerId, 'cli');
      expect(done.deleted.conversations).toBe(2);
    } finally {
      t.ctx.blobs.delete = remove;
    }
    expect(await rowsReferencing(c)).toEqual([]);
    expect(await t.ctx.blobs.get(tenant.id, c.storageName)).toBeDefined();
    expect(await t.ctx.kysely.selectFrom('blob_purges').select('storage_name').execute()).toEqual([
      { storage_name: c.storageName },
    ]);
    expect(await purgeBlobs(t.ctx)).toBe(1);
    expect(await t.ctx.blobs.get(tenant.id, c.storageName)).toBeUndefined();
    expect(await t.ctx.kysely.selectFrom('blob_purges').selectAll().execute()).toEqual([]);
  });
});

describe('retention', () => {
  const DAY = 86_400_000;

  it('deletes exactly the raw rows older than the window, in batches, and keeps totals of old periods', async () => {
    const { tenant, key, secret } = await tenantWithEverything();
    const untouched = await tenantWithEverything();
    await customerWithData(key, secret);
    await customerWithData(key, secret);
    await customerWithData(untouched.key, untouched.secret);
    await runCommand(t.ctx, { command: 'tenant:update', tenant: tenant.id, retentionDays: 30 });
    const now = new Date();
    const old = new Date(now.getTime() - 45 * DAY);
    const edge = new Date(now.getTime() - 29 * DAY);
    const db = t.ctx.kysely;
    // Age the first customer's rows, one of them just inside the window.
    const turns = await db
      .selectFrom('chat_turns')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .orderBy('id')
      .execute();
    const oldTurns = turns.slice(0, 3).map((r) => r.id);
    await db.updateTable('chat_turns').set({ created_at: old }).where('id', 'in', oldTurns).execute();
    await db.updateTable('chat_turns').set({ created_at: edge }).where('id', '=', turns[3]!.id).execute();
    const events = await db.selectFrom('telemetry_events').select('id').where('tenant_id', '=', tenant.id).execute();
    const oldEvents = events.slice(0, 3).map((r) => r.id);
    await db
      .updateTable('telemetry_events')
      .set({ received_at: old, occurred_at: old })
      .where('id', 'in', oldEvents)
      .execute();
    const uploads = await db.selectFrom('uploads').selectAll().where('tenant_id', '=', tenant.id).execute();
    await db.updateTable('uploads').set({ created_at: old }).where('id', '=', uploads[0]!.id).execute();
    const hooks = await db.selectFrom('webhook_events').select('id').where('tenant_id', '=', tenant.id).execute();
    await db
      .updateTable('webhook_events')
      .set({ created_at: old })
      .where('id', 'in', [hooks[0]!.id, hooks[1]!.id])
      .execute();
    await db
      .updateTable('webhook_deliveries')
      .set({ status: 'succeeded' })
      .where('event_id', '=', hooks[0]!.id)
      .execute();
    // The untouched tenant keeps everything: it set no retention, however old its rows.
    await db.updateTable('chat_turns').set({ created_at: old }).where('tenant_id', '=', untouched.tenant.id).execute();

    const totals = async () => ({
      events: await dailyTotals(db, tenant.id, 'telemetry_events'),
      turns: await dailyTotals(db, tenant.id, 'chat_turns'),
      messages: await dailyTotals(db, tenant.id, 'user_messages'),
    });
    const totalsBefore = await totals();
    const conversionsBefore = await db
      .selectFrom('conversions')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .execute();
    const untouchedTurns = await db
      .selectFrom('chat_turns')
      .select('id')
      .where('tenant_id', '=', untouched.tenant.id)
      .execute();

    const result = await applyRetention(t.ctx, now, { batch: 2 });
    expect(result).toEqual({ transcripts: 3, events: 3, uploads: 1, deliveryLogs: 1 });

    const ids = async (table: 'chat_turns' | 'telemetry_events' | 'uploads' | 'webhook_events') =>
      (await db.selectFrom(table).select('id').where('tenant_id', '=', tenant.id).execute()).map((r) => String(r.id));
    expect((await ids('chat_turns')).sort()).toEqual(
      turns
        .slice(3)
        .map((r) => String(r.id))
        .sort(),
    );
    expect((await ids('telemetry_events')).sort()).toEqual(
      events
        .slice(3)
        .map((r) => r.id)
        .sort(),
    );
    expect(await ids('uploads')).toEqual(uploads.slice(1).map((u) => u.id));
    expect(await ids('webhook_events')).not.toContain(hooks[0]!.id);
    expect(await ids('webhook_events')).toContain(hooks[1]!.id);
    expect(await t.ctx.blobs.get(tenant.id, uploads[0]!.storage_name)).toBeUndefined();

    expect(await totals()).toEqual(totalsBefore);
    expect(await db.selectFrom('conversions').selectAll().where('tenant_id', '=', tenant.id).execute()).toEqual(
      conversionsBefore,
    );
    expect(
      await db.selectFrom('chat_turns').select('id').where('tenant_id', '=', untouched.tenant.id).execute(),
    ).toEqual(untouchedTurns);
    // A second run finds nothing more; turning retention off stops it.
    expect(await applyRetention(t.ctx, now)).toEqual({ transcripts: 0, events: 0, uploads: 0, deliveryLogs: 0 });
    await runCommand(t.ctx, { command: 'tenant:update', tenant: tenant.id, retentionDays: null });
    expect(await applyRetention(t.ctx, new Date(now.getTime() + 365 * DAY))).toEqual({
      transcripts: 0,
      events: 0,
      uploads: 0,
      deliveryLogs: 0,
    });
  });
});
