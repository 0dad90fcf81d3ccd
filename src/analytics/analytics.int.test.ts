import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { openTestSession } from '../admin/openTestSession.js';
import { runCommand } from '../cli/runCommand.js';
import { createConnection } from '../connections/connectionService.js';
import type { Tenant } from '../db/types.js';
import { createGoal } from '../goals/goalService.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { llmPerformer } from '../llm/performLlm.js';
import { applyRetention } from '../privacy/applyRetention.js';
import { createSecretKey } from '../secretKeys/secretKeyService.js';
import { setRetentionDays } from '../tenants/tenantStore.js';
import type { AnalyticsQueryInput, AnalyticsResult } from '../wire/analyticsSchemas.js';
import { setTimeZone } from './setTimeZone.js';

// Issue 21's acceptance: a fixture built through the public and engine APIs (an OpenAI-compatible stub for the LLM),
// every metric compared with an independent SQL count over the raw tables, by day and week, in three time zones
// (UTC, America/New_York, Asia/Kolkata's half hour), with rows moved around local midnights; the incremental rollups
// equal a rebuild; retention removes raw rows but not their counts.

const API_KEY = 'sk-analytics-stub';
const TOKENS: Record<string, { prompt_tokens: number; completion_tokens: number; total_tokens: number }> = {
  'gpt-4o-mini': { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  'gpt-4o': { prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 },
};

let t: TestApp;
let server: Server;
let llmBase: string;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let raw = '';
  for await (const c of req) raw += c;
  const model = (JSON.parse(raw) as { model: string }).model;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model };
  const chunk = (body: unknown) => res.write(`data: ${JSON.stringify(body)}\n\n`);
  chunk({ ...base, choices: [{ index: 0, delta: { content: 'Try the blue one.' }, finish_reason: null }] });
  chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  chunk({ ...base, choices: [], usage: TOKENS[model] ?? TOKENS['gpt-4o-mini'] });
  res.end('data: [DONE]\n\n');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${API_KEY}`) {
      res.writeHead(401).end();
      return;
    }
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  llmBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  t = await createTestApp({ worker: true, llm: llmPerformer({ sleep: async () => {} }) });
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const advice = (name: string, model: string) => ({
  intent: { name, description: name, examples: [], required_entities: [] },
  start: 'think',
  nodes: [
    { id: 'think', type: 'llm', connection: 'ai', model, prompt: 'Suggest: {{ input.text }}' },
    { id: 'reached', type: 'goal', goal: 'advised' },
  ],
  edges: [{ from: 'think', to: 'reached' }],
});

async function event(token: string, type: string, properties: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/public/v1/chat/events',
    headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: { type, properties },
  });
  expect(res.statusCode, res.body).toBe(202);
}

async function settle(w: Widget, turn: { body: Record<string, unknown> }): Promise<string> {
  let cursor = String(turn.body.cursor);
  for (let i = 0; i < 40; i++) {
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?after=${cursor}&waitSeconds=10`);
    cursor = String(poll.body.cursor);
    if (poll.body.status !== 'waiting_time' && poll.body.status !== 'running') return String(poll.body.status);
  }
  throw new Error(`never settled: ${JSON.stringify(turn.body)}`);
}

interface Fixture {
  tenant: Tenant;
  secret: string;
}

/** Chats of six visitors on two keys, with page types, goals, conversions, LLM calls, and a test-pane chat. */
async function buildFixture(): Promise<Fixture> {
  const { tenant, key } = await seedTenant(t.ctx, {
    flows: [exampleFlow('order_status'), advice('advice_mini', 'gpt-4o-mini'), advice('advice_big', 'gpt-4o')],
    key: { allIntents: true },
  });
  const second = await createWidgetKey(t.ctx, {
    tenantId: tenant.id,
    label: 'Second',
    origins: [ORIGIN],
    allIntents: true,
  });
  await createConnection(t.ctx, {
    tenantId: tenant.id,
    name: 'ai',
    type: 'openai',
    baseUrl: llmBase,
    authType: 'bearer',
    secret: API_KEY,
    defaultModel: 'gpt-4o-mini',
  });
  await createGoal(t.ctx, { tenantId: tenant.id, key: 'carted', name: 'Added to cart', eventType: 'add_to_cart' });
  const sk = await createSecretKey(t.ctx, {
    tenantId: tenant.id,
    label: 'analytics',
    scopes: ['analytics:read', 'conversions:write'],
  });
  for (let i = 0; i < 6; i++) {
    const w = new Widget(t.app);
    const opened = await w.open(i % 2 === 0 ? key.key : second.key, { customerId: `c${i}` });
    expect(opened.status).toBe(201);
    const conversationId = String(opened.body.conversationId);
    const turn = await w.trigger('order_status');
    expect(turn.status).toBe(200);
    // The page type arrives after the first execution: it is attributed to the whole conversation.
    if (i % 3 !== 2) await event(w.token!, 'page_view', { pageType: i % 3 === 0 ? 'product' : 'cart' });
    if (i % 2 === 0) {
      const done = await w.resume(turn, { order_number: '12345' });
      expect(done.body.status).toBe('completed');
    } else if (i === 1) {
      const unknown = await w.resume(turn, { order_number: '999' });
      expect(unknown.body.status).toBe('waiting_input');
      const stop = await w.resume(unknown, { unknown: 'stop' });
      expect(stop.body.status).toBe('aborted');
    }
    // Visitors 0, 3, 4 ask for advice (visitor 3's order question is superseded: aborted).
    if (i === 0 || i === 3 || i === 4) {
      const asked = await w.trigger(i === 4 ? 'advice_big' : 'advice_mini', { text: 'a gift' });
      expect(await settle(w, asked)).toBe('completed');
    }
    if (i % 2 === 0) await event(w.token!, 'add_to_cart', { productId: 'A1' });
    if (i === 0) await event(w.token!, 'purchase', { orderId: 'o-client', amount: '19.99', currency: 'EUR' });
    if (i === 1 || i === 2) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/engine/v1/conversions',
        headers: { authorization: `Bearer ${sk.key}`, 'content-type': 'application/json' },
        payload:
          i === 1
            ? { orderId: 'o-usd', amount: '120.50', currency: 'USD', conversationId }
            : { orderId: 'o-eur', amount: 5, currency: 'EUR', customerId: 'c2' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  }
  // A conversion of nobody's chat: counted, credited to no flow.
  const orphan = await t.app.inject({
    method: 'POST',
    url: '/api/engine/v1/conversions',
    headers: { authorization: `Bearer ${sk.key}`, 'content-type': 'application/json' },
    payload: { orderId: 'o-none', amount: '1.00', currency: 'EUR', customerId: 'stranger' },
  });
  expect(orphan.statusCode).toBe(201);
  // The admin's test pane: a session, executions, an LLM call, a goal — none of it may count.
  const flow = await t.ctx.kysely
    .selectFrom('flows')
    .select('id')
    .where('tenant_id', '=', tenant.id)
    .where('intent_name', '=', 'advice_mini')
    .executeTakeFirstOrThrow();
  const pane = await openTestSession(
    t.ctx,
    { sessionId: 'x', tenantId: tenant.id, userId: 'u-admin', email: 'a@example.com', role: 'owner' },
    flow.id,
  );
  const panel = new Widget(t.app, new URL(t.ctx.config.publicUrl).origin);
  panel.token = pane.sessionToken;
  const tried = await panel.trigger('advice_mini', { text: 'test' });
  expect(tried.status, JSON.stringify(tried.body)).toBe(200);
  expect(await settle(panel, tried)).toBe('completed');
  return { tenant, secret: sk.key };
}

async function query(f: Fixture, body: AnalyticsQueryInput): Promise<AnalyticsResult> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/engine/v1/analytics/query',
    headers: { authorization: `Bearer ${f.secret}`, 'content-type': 'application/json' },
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as AnalyticsResult;
}

type Row = Record<string, string | number | null>;

/** Result rows as objects, without the zero rows a dense time axis adds. */
function rowsOf(result: AnalyticsResult): Row[] {
  const names = result.columns.map((c) => c.name);
  const metrics = result.columns.filter((c) => c.kind === 'metric').map((c) => c.name);
  return result.rows
    .map((cells) => Object.fromEntries(names.map((n, i) => [n, cells[i] ?? null])))
    .filter((row) => metrics.some((m) => row[m] !== 0 && row[m] !== null));
}

const label = (gran: 'day' | 'week', column: string, tz: string) =>
  sql`to_char(date_trunc(${gran}, ${sql.raw(column)} at time zone ${tz}::text), 'YYYY-MM-DD')`;

/**
 * The metrics straight from the raw tables, written without the rollups' code: one row per bucket (and `dims`),
 * rates computed from the counts. Test sessions (test-pane key, `executions.test`) are left out here too.
 */
async function expected(tenantId: string, gran: 'day' | 'week', tz: string): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const add = (b: string, metric: string, value: number | null) => {
    const row = out.get(b) ?? { bucket: b };
    row[metric] = value;
    out.set(b, row);
  };
  const widgetKey = sql`(select purpose from public_keys where id = c.public_key_id) = 'widget'`;
  const counts = async (metric: string, query: ReturnType<typeof sql<{ b: string; n: string | number | null }>>) => {
    for (const r of (await query.execute(t.ctx.kysely)).rows) add(r.b, metric, r.n === null ? null : Number(r.n));
  };
  await counts(
    'sessions',
    sql`select ${label(gran, 's.created_at', tz)} as b, count(*) as n from sessions s
      join conversations c on c.id = s.conversation_id
      where s.tenant_id = ${tenantId}::uuid and s.test_version_id is null and ${widgetKey} group by 1`,
  );
  await counts(
    'conversations',
    sql`select ${label(gran, 'c.created_at', tz)} as b, count(*) as n from conversations c
      where c.tenant_id = ${tenantId}::uuid and ${widgetKey} group by 1`,
  );
  await counts(
    'converted',
    sql`select ${label(gran, 'c.created_at', tz)} as b, count(*) as n from conversations c
      where c.tenant_id = ${tenantId}::uuid and ${widgetKey}
        and c.id in (select conversation_id from conversions where conversation_id is not null) group by 1`,
  );
  const turns = sql`from chat_turns t join conversations c on c.id = t.conversation_id
    where t.tenant_id = ${tenantId}::uuid and ${widgetKey}
      and not coalesce((select test from executions e where e.id = t.execution_id), false)`;
  await counts('turns', sql`select ${label(gran, 't.created_at', tz)} as b, count(*) as n ${turns} group by 1`);
  await counts(
    'messages',
    sql`select ${label(gran, 't.created_at', tz)} as b,
      sum(jsonb_array_length(jsonb_path_query_array(t.items, '$[*] ? (@.role == "user")'))) as n ${turns} group by 1`,
  );
  await counts(
    'median_turn_latency_ms',
    sql`select ${label(gran, 't.created_at', tz)} as b,
      percentile_cont(0.5) within group (order by t.duration_ms) as n ${turns} and t.duration_ms is not null group by 1`,
  );
  const executions = sql`from executions e join conversations c on c.id = e.conversation_id
    where e.tenant_id = ${tenantId}::uuid and not e.test and ${widgetKey}`;
  await counts(
    'executions',
    sql`select ${label(gran, 'e.created_at', tz)} as b, count(*) as n ${executions} group by 1`,
  );
  for (const status of ['completed', 'failed', 'aborted', 'waiting_input'])
    await counts(
      `executions_${status}`,
      sql`select ${label(gran, 'e.created_at', tz)} as b, count(*) as n ${executions} and e.status = ${status} group by 1`,
    );
  await counts(
    'goal_completions',
    sql`select ${label(gran, 'g.created_at', tz)} as b, count(*) as n from goal_hits g
      left join conversations c on c.id = g.conversation_id
      where g.tenant_id = ${tenantId}::uuid
        and not coalesce((select test from executions e where e.id = g.execution_id), false)
        and (c.id is null or ${widgetKey}) group by 1`,
  );
  const llm = sql`from llm_calls l join executions e on e.id = l.execution_id
    join conversations c on c.id = e.conversation_id
    where l.tenant_id = ${tenantId}::uuid and not e.test and ${widgetKey}`;
  await counts('llm_calls', sql`select ${label(gran, 'l.created_at', tz)} as b, count(*) as n ${llm} group by 1`);
  for (const col of ['prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros'])
    await counts(
      col,
      sql`select ${label(gran, 'l.created_at', tz)} as b, sum(${sql.ref(`l.${col}`)}) as n ${llm} group by 1`,
    );
  await counts(
    'form_submissions',
    sql`select ${label(gran, 'f.created_at', tz)} as b, count(*) as n from form_submissions f
      where f.tenant_id = ${tenantId}::uuid group by 1`,
  );
  for (const row of out.values()) {
    const n = (m: string) => Number(row[m] ?? 0);
    row.executions_completed ??= 0;
    row.completion_rate = n('executions') === 0 ? null : n('executions_completed') / n('executions');
    row.abandonment_rate =
      n('executions') === 0 ? null : (n('executions_aborted') + n('executions_waiting_input')) / n('executions');
    row.chat_conversion_rate = n('conversations') === 0 ? null : n('converted') / n('conversations');
    delete row.converted;
    delete row.executions_waiting_input;
  }
  return out;
}

const METRICS = [
  'sessions',
  'conversations',
  'messages',
  'turns',
  'median_turn_latency_ms',
  'executions',
  'executions_completed',
  'executions_failed',
  'executions_aborted',
  'completion_rate',
  'abandonment_rate',
  'goal_completions',
  'chat_conversion_rate',
  'llm_calls',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_micros',
  'form_submissions',
] as const;

/** Every metric of every bucket, against the raw tables. */
async function compareAll(f: Fixture, range: { from: string; to: string }, gran: 'day' | 'week', tz: string) {
  const result = await query(f, { metrics: [...METRICS], range, granularity: gran, timeZone: tz });
  const want = await expected(f.tenant.id, gran, tz);
  const got = new Map(rowsOf(result).map((r) => [String(r.bucket), r]));
  expect([...got.keys()].sort(), `${gran} ${tz} buckets`).toEqual([...want.keys()].sort());
  for (const [b, row] of want) {
    for (const m of METRICS) {
      const w = row[m] ?? (m.endsWith('_rate') || m.startsWith('median') ? null : 0);
      const g = got.get(b)![m];
      if (typeof w === 'number' && typeof g === 'number') expect(g, `${gran} ${tz} ${b} ${m}`).toBeCloseTo(w, 9);
      else expect(g, `${gran} ${tz} ${b} ${m}`).toBe(w);
    }
  }
  return result;
}

/** Money and a few splits, against the raw tables. */
async function compareSplits(f: Fixture, range: { from: string; to: string }, gran: 'day' | 'week', tz: string) {
  const money = rowsOf(await query(f, { metrics: ['conversions', 'revenue'], range, granularity: gran, timeZone: tz }));
  const moneyWant = await sql<{ b: string; currency: string; conversions: number; revenue: number }>`
    select ${label(gran, 'v.occurred_at', tz)} as b, v.currency, count(*)::int as conversions,
      sum(v.amount_minor)::int as revenue
    from conversions v where v.tenant_id = ${f.tenant.id}::uuid group by 1, 2 order by 1, 2`.execute(t.ctx.kysely);
  expect(money).toEqual(
    moneyWant.rows.map((r) => ({ bucket: r.b, currency: r.currency, conversions: r.conversions, revenue: r.revenue })),
  );
  const byStatus = rowsOf(
    await query(f, {
      metrics: ['executions'],
      dimensions: ['intent', 'status'],
      range,
      granularity: gran,
      timeZone: tz,
    }),
  );
  const statusWant = await sql<{ b: string; intent: string; status: string; n: number }>`
    select ${label(gran, 'e.created_at', tz)} as b, e.intent_name as intent, e.status, count(*)::int as n
    from executions e join conversations c on c.id = e.conversation_id join public_keys k on k.id = c.public_key_id
    where e.tenant_id = ${f.tenant.id}::uuid and not e.test and k.purpose = 'widget'
    group by 1, 2, 3 order by 1, 2, 3`.execute(t.ctx.kysely);
  expect(byStatus).toEqual(
    statusWant.rows.map((r) => ({ bucket: r.b, intent: r.intent, status: r.status, executions: r.n })),
  );
  const byPage = rowsOf(
    await query(f, { metrics: ['sessions'], dimensions: ['key', 'page_type'], range, granularity: gran, timeZone: tz }),
  );
  const pageWant = await sql<{ b: string; key: string; page_type: string | null; n: number }>`
    select ${label(gran, 's.created_at', tz)} as b, s.public_key_id::text as key,
      (select e.properties->>'pageType' from telemetry_events e where e.conversation_id = s.conversation_id
        and e.properties ? 'pageType' order by e.occurred_at, e.id limit 1) as page_type, count(*)::int as n
    from sessions s join public_keys k on k.id = s.public_key_id
    where s.tenant_id = ${f.tenant.id}::uuid and s.test_version_id is null and k.purpose = 'widget'
    group by 1, 2, 3`.execute(t.ctx.kysely);
  const order = (rows: Row[]) => rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  expect(order(byPage)).toEqual(
    order(pageWant.rows.map((r) => ({ bucket: r.b, key: r.key, page_type: r.page_type, sessions: r.n }))),
  );
  const byModel = rowsOf(
    await query(f, {
      metrics: ['llm_calls', 'total_tokens', 'cost_micros'],
      dimensions: ['model'],
      filters: { intent: ['advice_mini', 'advice_big'] },
      range,
      timeZone: tz,
    }),
  );
  const modelWant = await sql<{ model: string; calls: number; tokens: number; cost: number }>`
    select l.model, count(*)::int as calls, sum(l.total_tokens)::int as tokens, sum(l.cost_micros)::int as cost
    from llm_calls l join executions e on e.id = l.execution_id
    where l.tenant_id = ${f.tenant.id}::uuid and not e.test group by 1 order by 1`.execute(t.ctx.kysely);
  expect(byModel).toEqual(
    modelWant.rows.map((r) => ({ model: r.model, llm_calls: r.calls, total_tokens: r.tokens, cost_micros: r.cost })),
  );
  return { money, byModel };
}

const rollupsOf = (tenantId: string) =>
  t.ctx.kysely
    .selectFrom('analytics_rollups')
    .select([
      'bucket',
      'metric',
      'flow_id',
      'public_key_id',
      'page_type',
      'model',
      'status',
      'currency',
      'measure',
      'value',
    ])
    .where('tenant_id', '=', tenantId)
    .execute()
    .then((rows) => rows.map((r) => JSON.stringify(r)).sort());

/**
 * Moves every timestamp of the tenant's raw rows, keeping their order: the n-th row of a table (by time) goes to
 * `anchor` + n × 173 minutes, so rows fall at all sorts of minutes and cross the midnights of every zone.
 */
async function spread(tenantId: string, anchor: string) {
  for (const [table, column] of [
    ['sessions', 'created_at'],
    ['conversations', 'created_at'],
    ['executions', 'created_at'],
    ['chat_turns', 'created_at'],
    ['goal_hits', 'created_at'],
    ['conversions', 'occurred_at'],
    ['llm_calls', 'created_at'],
    ['telemetry_events', 'occurred_at'],
  ] as const) {
    await sql`update ${sql.table(table)} x set ${sql.ref(column)} = ${anchor}::timestamptz + o.n * interval '173 minutes'
      from (select id, row_number() over (order by ${sql.ref(column)}, id) as n from ${sql.table(table)}
        where tenant_id = ${tenantId}::uuid) o
      where x.id = o.id`.execute(t.ctx.kysely);
  }
}

const around = (days: number) => {
  const d = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  return { from: d(-days), to: d(days) };
};

describe('analytics', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await buildFixture();
  });

  it('every metric equals the raw tables as written, and a rebuild equals the incremental rollups', async () => {
    const result = await compareAll(f, around(2), 'day', 'UTC');
    // The fixture is not trivial: each kind of thing was counted, and the test pane's were not.
    const today = rowsOf(result);
    const sum = (m: string) => today.reduce((s, r) => s + Number(r[m] ?? 0), 0);
    expect(sum('sessions')).toBe(6);
    expect(sum('executions')).toBe(9);
    expect(sum('executions_completed')).toBe(6);
    expect(sum('executions_aborted')).toBe(2);
    expect(sum('llm_calls')).toBe(3);
    expect(sum('goal_completions')).toBe(6);
    expect(sum('median_turn_latency_ms')).toBeGreaterThanOrEqual(0);
    const { money, byModel } = await compareSplits(f, around(2), 'week', 'UTC');
    expect(money.map((r) => [r.currency, r.conversions, r.revenue])).toEqual([
      ['EUR', 3, 1999 + 500 + 100],
      ['USD', 1, 12050],
    ]);
    expect(byModel.map((r) => r.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);

    // Usage by key: the keys' counters (flushed from memory first), the test pane's key left out.
    await t.ctx.meter.flush();
    const usage = rowsOf(await query(f, { metrics: ['usage'], dimensions: ['key', 'usage_kind'], range: around(2) }));
    const usageWant = await sql<{ key: string; usage_kind: string; usage: number }>`
      select u.public_key_id::text as key, u.kind as usage_kind, sum(u.count)::int as usage
      from usage_counters u join public_keys k on k.id = u.public_key_id
      where u.tenant_id = ${f.tenant.id}::uuid and k.purpose = 'widget' group by 1, 2 order by 1, 2`.execute(
      t.ctx.kysely,
    );
    expect(usageWant.rows.length).toBeGreaterThan(1);
    expect(usage).toEqual(usageWant.rows);

    const incremental = await rollupsOf(f.tenant.id);
    expect(incremental.length).toBeGreaterThan(10);
    expect(await runCommand(t.ctx, { command: 'analytics:rebuild', tenant: f.tenant.id })).toContain('1 tenant');
    expect(await rollupsOf(f.tenant.id)).toEqual(incremental);
  });

  it('buckets by day and week in three time zones, rows moved around local midnights', async () => {
    // Saturday evening UTC: the fixture's rows spread over the following days, across midnights of each zone.
    await spread(f.tenant.id, '2026-11-21T17:50:00Z');
    await runCommand(t.ctx, { command: 'analytics:rebuild', tenant: f.tenant.id });
    const range = { from: '2026-11-15', to: '2026-12-31' };
    const days = new Set<string>();
    for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      for (const gran of ['day', 'week'] as const) {
        const result = await compareAll(f, range, gran, tz);
        if (gran === 'day') days.add(JSON.stringify(rowsOf(result).map((r) => [r.bucket, r.executions])));
        await compareSplits(f, range, gran, tz);
      }
    }
    // The zones really cut the data differently.
    expect(days.size).toBeGreaterThan(1);
    // Hours and months add up to the days, in a half-hour zone.
    const byUnit = async (granularity: 'hour' | 'day' | 'month') => {
      const rows = rowsOf(
        await query(f, { metrics: ['executions', 'turns'], range, granularity, timeZone: 'Asia/Kolkata' }),
      );
      const sums = new Map<string, [number, number]>();
      for (const r of rows) {
        const day = granularity === 'month' ? String(r.bucket).slice(0, 7) : String(r.bucket).slice(0, 10);
        const [e, tt] = sums.get(day) ?? [0, 0];
        sums.set(day, [e + Number(r.executions), tt + Number(r.turns)]);
      }
      return sums;
    };
    const hours = await byUnit('hour');
    expect(hours).toEqual(await byUnit('day'));
    expect(hours.size).toBeGreaterThan(2);
    const months = await byUnit('month');
    const dayTotals = [...(await byUnit('day')).values()].reduce((a, [e, tt]) => [a[0]! + e, a[1]! + tt], [0, 0]);
    expect([...months.values()].reduce((a, [e, tt]) => [a[0]! + e, a[1]! + tt], [0, 0])).toEqual(dayTotals);
    // The tenant's own setting is the default zone; only IANA names are taken.
    await expect(setTimeZone(t.ctx, f.tenant.id, 'Mars/Olympus')).rejects.toMatchObject({ code: 'validation_failed' });
    await setTimeZone(t.ctx, f.tenant.id, 'Asia/Kolkata');
    const own = await query(f, { metrics: ['executions'], range, granularity: 'day' });
    expect(own.timeZone).toBe('Asia/Kolkata');
    expect(own.rows).toEqual(
      (await query(f, { metrics: ['executions'], range, granularity: 'day', timeZone: 'Asia/Kolkata' })).rows,
    );
  });

  it('keeps the counts of raw rows retention removed, through a rebuild', async () => {
    const range = { from: '2026-11-15', to: '2026-12-31' };
    const before = await query(f, { metrics: ['messages', 'turns', 'sessions'], range, granularity: 'week' });
    await setRetentionDays(t.ctx, f.tenant.id, 1);
    await applyRetention(t.ctx);
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from chat_turns where tenant_id = ${f.tenant.id}::uuid`.execute(t.ctx.kysely);
    expect(left.rows[0]!.n).toBe(0);
    expect((await query(f, { metrics: ['messages', 'turns', 'sessions'], range, granularity: 'week' })).rows).toEqual(
      before.rows,
    );
    await runCommand(t.ctx, { command: 'analytics:rebuild', tenant: f.tenant.id });
    expect((await query(f, { metrics: ['messages', 'turns', 'sessions'], range, granularity: 'week' })).rows).toEqual(
      before.rows,
    );
  });

  it('answers only for the key’s tenant, needs analytics:read, and names what cannot be split', async () => {
    const other = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(other.key.key);
    const theirs = await createSecretKey(t.ctx, { tenantId: other.tenant.id, label: 'a', scopes: ['analytics:read'] });
    const mine = await query({ tenant: other.tenant, secret: theirs.key }, { metrics: ['sessions'], range: around(2) });
    expect(mine.rows).toEqual([[1]]);
    const noScope = await createSecretKey(t.ctx, { tenantId: other.tenant.id, label: 'b', scopes: ['engine:read'] });
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/engine/v1/analytics/query',
      headers: { authorization: `Bearer ${noScope.key}`, 'content-type': 'application/json' },
      payload: { metrics: ['sessions'], range: { preset: 'today' } },
    });
    expect(forbidden.statusCode).toBe(403);
    const unsplittable = await t.app.inject({
      method: 'POST',
      url: '/api/engine/v1/analytics/query',
      headers: { authorization: `Bearer ${theirs.key}`, 'content-type': 'application/json' },
      payload: { metrics: ['sessions'], dimensions: ['model'], range: { preset: 'last_7_days' } },
    });
    expect(unsplittable.statusCode).toBe(422);
    expect(unsplittable.json().error.details.fields[0].message).toContain('sessions cannot be split by model');
    const badZone = await t.app.inject({
      method: 'POST',
      url: '/api/engine/v1/analytics/query',
      headers: { authorization: `Bearer ${theirs.key}`, 'content-type': 'application/json' },
      payload: { metrics: ['sessions'], range: { preset: 'today' }, timeZone: 'Mars/Olympus' },
    });
    expect(badZone.statusCode).toBe(422);
  });
});
