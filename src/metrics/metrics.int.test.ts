import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, seedTenant, Widget } from '../../test/support/fixtures.js';
import { parsePrometheus } from '../../test/support/parsePrometheus.js';
import { backend, createTestApp, type TestApp } from '../../test/support/testApp.js';
import { Metrics } from './Metrics.js';
import { startMetricsServer } from './startMetricsServer.js';

const TOKEN = 'metrics-token-0123456789abcdef';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: { COMERIX_METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await t?.close();
});

async function scrape() {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.body, metrics: parsePrometheus(res.body) };
}

describe('/metrics', () => {
  it('answers 404 without the token, or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode, String(authorization)).toBe(404);
      expect(JSON.parse(res.body).error.code).toBe('not_found');
    }
  });

  it('moves the counters by what a scripted conversation did', async () => {
    const { key } = await seedTenant(t.ctx, { flows: [exampleFlow('track_order')], key: { allIntents: true } });
    const before = (await scrape()).metrics;
    const w = new Widget(t.app);
    expect((await w.open(key.key)).status).toBe(201);
    const ask = await w.trigger('track_order');
    expect(ask.body.status).toBe('waiting_input');
    const turn = await w.resume(ask, { order_number: '12345' });
    expect(turn.body.status).toBe('waiting_time');
    let cursor = String(turn.body.cursor);
    let polls = 0;
    let status = 'waiting_time';
    while (status === 'waiting_time') {
      const res = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?waitSeconds=10&after=${cursor}`);
      expect(res.status).toBe(200);
      polls += 1;
      cursor = String(res.body.cursor);
      status = String(res.body.status);
    }
    expect(status).toBe('completed');

    const { text, metrics: after } = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(moved('comerix_executions_total', { status: 'waiting_input' })).toBe(1);
    expect(moved('comerix_executions_total', { status: 'waiting_time' })).toBe(1);
    expect(moved('comerix_executions_total', { status: 'completed' })).toBe(1);
    expect(moved('comerix_executions_total')).toBe(3);
    expect(moved('comerix_turn_duration_seconds_count', { kind: 'trigger' })).toBe(1);
    expect(moved('comerix_turn_duration_seconds_count', { kind: 'resume' })).toBe(1);
    expect(moved('comerix_job_pickup_seconds_count', { task: 'execution.continue' })).toBe(1);
    const http = 'comerix_http_request_duration_seconds_count';
    expect(moved(http, { route: '/api/public/v1/chat/sessions', method: 'POST', status: '201' })).toBe(1);
    expect(moved(http, { route: '/api/public/v1/chat/messages', method: 'POST', status: '200' })).toBe(2);
    expect(moved(http, { route: '/api/public/v1/chat/executions/:id', method: 'GET', status: '200' })).toBe(polls);
    // Declared routes only: no id of this conversation is a label value.
    expect(text).not.toContain(String(turn.body.executionId));
    const unknown = await t.app.inject({ method: 'GET', url: `/nowhere/${turn.body.executionId}` });
    expect(unknown.statusCode).toBe(404);
    const later = (await scrape()).metrics;
    expect(later.sum(http, { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);

    expect(after.types.get('comerix_jobs_waiting')).toBe('gauge');
    expect(after.samples.some((s) => s.name === 'comerix_jobs_waiting')).toBe(true);
    const pool = after.samples.filter((s) => s.name === 'comerix_db_pool_connections');
    expect(pool.map((s) => s.labels.state).sort()).toEqual(['idle', 'total', 'waiting']);
    expect(after.sum('comerix_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    if (backend === 'pglite') expect(after.sum('comerix_db_pool_connections', { state: 'total' })).toBe(1);
    expect(after.samples.filter((s) => s.name === 'comerix_event_loop_lag_seconds')).toHaveLength(2);
    for (const family of [
      'comerix_webhook_deliveries_total',
      'comerix_llm_tokens_total',
      'comerix_llm_cost_micros_total',
    ]) {
      expect(after.types.get(family), family).toBe('counter');
    }
  });
});

describe('the seams for webhooks and the LLM node', () => {
  it('counts deliveries by outcome, and tokens and cost by model', async () => {
    const m = new Metrics();
    m.webhookDelivery('delivered');
    m.webhookDelivery('delivered');
    m.webhookDelivery('failed');
    m.llmUsage({ model: 'gpt-x', promptTokens: 120, completionTokens: 30, costMicros: 450 });
    m.llmUsage({ model: 'gpt-x', promptTokens: 10, completionTokens: 5, costMicros: 50 });
    const e = parsePrometheus((await m.render()).body);
    m.close();
    expect(e.sum('comerix_webhook_deliveries_total', { outcome: 'delivered' })).toBe(2);
    expect(e.sum('comerix_webhook_deliveries_total', { outcome: 'failed' })).toBe(1);
    expect(e.sum('comerix_llm_tokens_total', { model: 'gpt-x', kind: 'prompt' })).toBe(130);
    expect(e.sum('comerix_llm_tokens_total', { model: 'gpt-x', kind: 'completion' })).toBe(35);
    expect(e.sum('comerix_llm_cost_micros_total', { model: 'gpt-x' })).toBe(500);
  });

  it('keeps each app on its own registry', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.executionStatus('completed');
    const eb = parsePrometheus((await b.render()).body);
    a.close();
    b.close();
    expect(eb.sum('comerix_executions_total')).toBe(0);
  });
});

describe('COMERIX_METRICS_PORT', () => {
  it('serves /metrics alone on its own listener, asking for the token when one is set', async () => {
    const server = await startMetricsServer(t.ctx.metrics, { port: 0, host: '127.0.0.1', token: TOKEN });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(parsePrometheus(await ok.text()).types.get('comerix_executions_total')).toBe('counter');
      expect((await fetch(`${base}/api/public/v1/chat/sessions`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
