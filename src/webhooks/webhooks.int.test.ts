import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { parsePrometheus } from '../../test/support/parsePrometheus.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { WebhookReceiver } from '../../test/support/webhookReceiver.js';
import type { AppContext } from '../app/AppContext.js';
import { runCommand } from '../cli/runCommand.js';
import { reportConversion } from '../conversions/reportConversion.js';
import { abortExecution } from '../engineApi/engineService.js';
import { AppError } from '../errors/AppError.js';
import { sweepExecutions } from '../executions/sweepExecutions.js';
import { importForm } from '../forms/formService.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { isWebhookEventType, webhookEnvelopeSchema } from '../wire/webhookSchemas.js';
import { checkWebhookUrl } from './checkWebhookUrl.js';
import { DISABLED_NOTE, deliverWebhook } from './deliverWebhook.js';
import { type DeliverPayload, deliverJobKey, emitWebhookEvent } from './emitWebhookEvent.js';
import { relayDeliveries } from './relayDeliveries.js';
import { rescueDeliveries } from './rescueDeliveries.js';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './retrySchedule.js';
import { createWebhookEndpoint, listWebhookDeliveries, redeliverWebhook } from './webhookService.js';

// Two apps on two fresh databases: `live` works its job queue (deliveries go out as they would in production);
// `manual` has no worker, so a test runs each delivery attempt itself with an injected clock and jitter.
let live: TestApp;
let manual: TestApp;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  [live, manual] = await Promise.all([createTestApp({ worker: true }), createTestApp()]);
  await receiver.start();
});
afterAll(async () => {
  await live?.close();
  await manual?.close();
  await receiver.close();
});

const CONTACT_FORM = {
  code: 'contact',
  title: 'Contact us',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true },
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'message', type: 'textarea', label: 'Message', required: true },
  ],
  confirmation: { message: 'Thanks!' },
};

const intent = (name: string) => ({ name, description: name, examples: [], required_entities: [] });

let paths = 0;
async function endpoint(ctx: AppContext, tenantId: string, eventTypes: string[], statuses: number[] = []) {
  const path = `/hooks/${++paths}`;
  const { endpoint: created, secret } = await createWebhookEndpoint(ctx, {
    tenantId,
    url: receiver.url(path),
    eventTypes,
  });
  receiver.expect(path, secret, statuses);
  return { id: created.id, path, secret };
}

async function countRows(ctx: AppContext, table: 'webhook_events' | 'webhook_deliveries', tenantId: string) {
  const row = await ctx.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function deliveryOf(ctx: AppContext, tenantId: string) {
  return ctx.kysely.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).execute();
}

describe('endpoints', () => {
  it('refuses an endpoint at a private address unless private networks are allowed', async () => {
    const { tenant } = await seedTenant(manual.ctx);
    const strict = { ...manual.ctx, config: { ...manual.ctx.config, allowPrivateNetworks: false } };
    for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.8/x', 'http://[::1]/x', 'http://169.254.169.254/']) {
      const refused = await createWebhookEndpoint(strict, {
        tenantId: tenant.id,
        url,
        eventTypes: ['chat.session.created'],
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('invalid_request');
      expect((refused as AppError).details?.fields).toEqual([expect.objectContaining({ path: 'url' })]);
    }
    await expect(checkWebhookUrl('ftp://example.com/x', { allowPrivateNetworks: true })).rejects.toThrow(AppError);
    await expect(checkWebhookUrl('https://u:p@example.com/x', { allowPrivateNetworks: true })).rejects.toThrow(
      AppError,
    );
    // Allowed by setting (the tests' default): accepted, the secret is a Standard Webhooks one and stored encrypted.
    const { secret } = await endpoint(manual.ctx, tenant.id, ['chat.session.created']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const stored = await manual.ctx.kysely
      .selectFrom('webhook_endpoints')
      .select('secret_ciphertext')
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_ciphertext).not.toContain(secret.slice(6, 20));
    // Unknown event types are refused, naming the field.
    await expect(
      createWebhookEndpoint(manual.ctx, { tenantId: tenant.id, url: receiver.url('/x'), eventTypes: ['chat.nope'] }),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { fields: [{ path: 'eventTypes' }] } });
  });
});

describe('outbox', () => {
  it('writes nothing for a tenant without an endpoint, and nothing for a change that rolls back', async () => {
    // Another tenant has an endpoint, so the subscription map is not empty.
    const other = await seedTenant(manual.ctx);
    await endpoint(manual.ctx, other.tenant.id, ['chat.execution.updated', 'chat.session.created']);
    const { tenant, key } = await seedTenant(manual.ctx);
    const w = new Widget(manual.app);
    await w.open(key.key);
    const ask = await w.trigger('order_status');
    expect(ask.body.status).toBe('waiting_input');
    expect((await w.resume(ask, { order_number: '12345' })).body.status).toBe('completed');
    expect(await countRows(manual.ctx, 'webhook_events', tenant.id)).toBe(0);
    expect(await countRows(manual.ctx, 'webhook_deliveries', tenant.id)).toBe(0);

    // A subscribed tenant's change that rolls back leaves no event, delivery or job behind.
    const before = await countRows(manual.ctx, 'webhook_events', other.tenant.id);
    const jobsBefore = await manual.ctx.jobs.pending();
    await expect(
      manual.ctx.kysely.transaction().execute(async (trx) => {
        const id = await emitWebhookEvent(trx, manual.ctx.webhooks, {
          tenantId: other.tenant.id,
          type: 'chat.session.created',
          data: {
            sessionId: crypto.randomUUID(),
            conversationId: crypto.randomUUID(),
            customerId: 'c',
            widgetKeyId: other.key.id,
            locale: null,
            origin: null,
            resumed: false,
            createdAt: new Date().toISOString(),
          },
        });
        expect(id).not.toBeNull();
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    expect(await countRows(manual.ctx, 'webhook_events', other.tenant.id)).toBe(before);
    expect(await manual.ctx.jobs.pending()).toBe(jobsBefore);
  });
});

describe('outbox and turns', () => {
  it('writes one event per applied change: of two racing resumes, the one that lost writes nothing', async () => {
    const { tenant, key } = await seedTenant(manual.ctx);
    await endpoint(manual.ctx, tenant.id, ['chat.execution.updated', 'chat.execution.completed']);
    const w = new Widget(manual.app);
    await w.open(key.key);
    const ask = await w.trigger('order_status');
    const [a, b] = await Promise.all([
      w.resume(ask, { order_number: '12345' }),
      w.resume(ask, { order_number: '12345' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const events = await manual.ctx.kysely
      .selectFrom('webhook_events')
      .select(['type', 'payload'])
      .where('tenant_id', '=', tenant.id)
      .orderBy('seq')
      .execute();
    expect(
      events.map((e) => [e.type, (e.payload as { data: { version: number; status: string } }).data.version]),
    ).toEqual([
      ['chat.execution.updated', 1],
      ['chat.execution.updated', 2],
      ['chat.execution.completed', 2],
    ]);
    // One delivery per event for the one endpoint.
    expect(await countRows(manual.ctx, 'webhook_deliveries', tenant.id)).toBe(3);
  });
});

describe('delivery', () => {
  it('retries 500, 500, 200 at growing scheduled times, logs one success, and ignores a duplicate pickup', async () => {
    const { tenant, key } = await seedTenant(manual.ctx);
    const hook = await endpoint(manual.ctx, tenant.id, ['chat.session.created'], [500, 500, 200]);
    const w = new Widget(manual.app);
    await w.open(key.key);
    const [delivery] = await deliveryOf(manual.ctx, tenant.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });

    const deliveries = async (outcome: string) =>
      parsePrometheus((await manual.ctx.metrics.render()).body).sum('comerix_webhook_deliveries_total', { outcome });
    const before = { retrying: await deliveries('retrying'), delivered: await deliveries('delivered') };
    const start = new Date(delivery!.next_attempt_at);
    let now = start;
    const run = deliverWebhook(manual.ctx, { now: () => now, random: () => 0.5 });
    const meta = { attempt: 1, maxAttempts: 5, jobKey: null };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const row = (await deliveryOf(manual.ctx, tenant.id))[0]!;
      now = new Date(row.next_attempt_at); // time passes until the attempt is due
      const job: DeliverPayload = { tenantId: tenant.id, deliveryId: delivery!.id, attempt };
      await run(job as never, meta);
      // The same job picked up twice: the second finds the attempt spent and sends nothing.
      await run(job as never, meta);
    }
    const got = receiver.on(hook.path);
    expect(got.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(got[0]!.payload).toMatchObject({ type: 'chat.session.created', data: { customerId: 'u-42' } });

    const [view] = await listWebhookDeliveries(manual.ctx, tenant.id, { endpointId: hook.id });
    expect(view).toMatchObject({ status: 'succeeded', attempts: 3, lastResponseStatus: 200 });
    expect(view!.log.map((a) => [a.attempt, a.outcome, a.responseStatus])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'succeeded', 200],
    ]);
    const scheduled = view!.log.map((a) => Date.parse(a.scheduledAt!));
    expect(scheduled[0]).toBe(start.getTime());
    expect(scheduled[1]! - scheduled[0]!).toBe(retryDelayMs(1, () => 0.5));
    expect(scheduled[2]! - scheduled[1]!).toBe(retryDelayMs(2, () => 0.5));
    expect(scheduled[2]! - scheduled[1]!).toBeGreaterThan(scheduled[1]! - scheduled[0]!);
    expect(view!.log.every((a) => a.latencyMs !== null && a.request !== null)).toBe(true);
    expect(JSON.stringify(view!.log)).not.toContain('webhook-signature');
    // The duplicate pickups count nothing: two retries and one success.
    expect(await deliveries('retrying')).toBe(before.retrying + 2);
    expect(await deliveries('delivered')).toBe(before.delivered + 1);

    // Manual redeliver: a new delivery of the same event (same webhook-id), sent once.
    const again = await redeliverWebhook(manual.ctx, tenant.id, delivery!.id);
    now = new Date();
    await run({ tenantId: tenant.id, deliveryId: again, attempt: 1 } as never, meta);
    expect(receiver.on(hook.path)).toHaveLength(4);
    expect(receiver.on(hook.path)[3]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    expect(receiver.on(hook.path)[3]!.verified).toBe(true);
  });

  it('re-checks the SSRF guard at delivery time and disables an endpoint that keeps failing', async () => {
    const { tenant, key } = await seedTenant(manual.ctx);
    const hook = await endpoint(manual.ctx, tenant.id, ['chat.session.created'], Array(20).fill(503));
    expect(manual.ctx.webhooks.endpointsFor(tenant.id, 'chat.session.created')).toEqual([hook.id]);
    const w = new Widget(manual.app);
    await w.open(key.key);
    const [delivery] = await deliveryOf(manual.ctx, tenant.id);
    const meta = { attempt: 1, maxAttempts: 5, jobKey: null };

    // The operator turned private networks off since the endpoint was saved: the attempt is refused, nothing sent.
    const strict = { ...manual.ctx, config: { ...manual.ctx.config, allowPrivateNetworks: false } };
    await deliverWebhook(strict, { random: () => 0 })(
      { tenantId: tenant.id, deliveryId: delivery!.id, attempt: 1 } as never,
      meta,
    );
    expect(receiver.on(hook.path)).toHaveLength(0);

    const run = deliverWebhook(manual.ctx, { random: () => 0 });
    for (let attempt = 2; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      await run({ tenantId: tenant.id, deliveryId: delivery!.id, attempt } as never, meta);
    }
    expect(receiver.on(hook.path)).toHaveLength(MAX_DELIVERY_ATTEMPTS - 1);
    expect(receiver.on(hook.path).every((r) => r.verified)).toBe(true);
    const [view] = await listWebhookDeliveries(manual.ctx, tenant.id);
    expect(view!.status).toBe('failed');
    expect(view!.log[0]).toMatchObject({ outcome: 'failed', responseStatus: null });
    expect(view!.log[0]!.error).toContain('ssrf_blocked');
    expect(view!.log.at(-1)).toMatchObject({ kind: 'note', outcome: DISABLED_NOTE });
    const row = await manual.ctx.kysely
      .selectFrom('webhook_endpoints')
      .select(['enabled', 'disabled_reason'])
      .where('id', '=', hook.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ enabled: false, disabled_reason: 'failing' });
    // Disabled: out of the subscription map, so the tenant's next session writes no event.
    expect(manual.ctx.webhooks.endpointsFor(tenant.id, 'chat.session.created')).toEqual([]);
    await new Widget(manual.app).open(key.key);
    expect(await countRows(manual.ctx, 'webhook_events', tenant.id)).toBe(1);
  });
});

describe('recovery and CLI', () => {
  it('queues new outbox deliveries as jobs from the relay, each once, outside the writing transaction', async () => {
    const { tenant, key } = await seedTenant(manual.ctx);
    await endpoint(manual.ctx, tenant.id, ['chat.session.created']);
    await new Widget(manual.app).open(key.key);
    const [delivery] = await deliveryOf(manual.ctx, tenant.id);
    // The session's transaction wrote the delivery and no job.
    expect(delivery).toMatchObject({ status: 'pending', queued: false });
    expect(await manual.ctx.jobs.exists(deliverJobKey(delivery!.id, 1))).toBe(false);
    expect(await relayDeliveries(manual.ctx)).toBeGreaterThanOrEqual(1);
    expect((await deliveryOf(manual.ctx, tenant.id))[0]).toMatchObject({ status: 'pending', queued: true });
    expect(await manual.ctx.jobs.exists(deliverJobKey(delivery!.id, 1))).toBe(true);
    expect(await relayDeliveries(manual.ctx)).toBe(0);
  });

  it('gives a delivery whose sender died its attempt again, and sends it once', async () => {
    const { tenant, key } = await seedTenant(manual.ctx);
    const hook = await endpoint(manual.ctx, tenant.id, ['chat.session.created']);
    await new Widget(manual.app).open(key.key);
    const [delivery] = await deliveryOf(manual.ctx, tenant.id);
    // A worker claimed attempt 1 and died: the claim's lease lapsed, its job is gone.
    const past = new Date(Date.now() - 3600_000);
    await manual.ctx.kysely
      .updateTable('webhook_deliveries')
      .set({ status: 'sending', attempts: 1, locked_until: past, next_attempt_at: past })
      .where('id', '=', delivery!.id)
      .execute();
    await manual.ctx.jobs.cancel(manual.ctx.kysely, deliverJobKey(delivery!.id, 1));
    expect(await manual.ctx.jobs.exists(deliverJobKey(delivery!.id, 1))).toBe(false);
    expect(await rescueDeliveries(manual.ctx)).toBeGreaterThanOrEqual(1);
    expect(await manual.ctx.jobs.exists(deliverJobKey(delivery!.id, 1))).toBe(true);
    const run = deliverWebhook(manual.ctx);
    const job = { tenantId: tenant.id, deliveryId: delivery!.id, attempt: 1 };
    await run(job as never, { attempt: 1, maxAttempts: 5, jobKey: null });
    await run(job as never, { attempt: 1, maxAttempts: 5, jobKey: null });
    expect(receiver.on(hook.path)).toHaveLength(1);
    expect(receiver.on(hook.path)[0]!.verified).toBe(true);
    expect((await deliveryOf(manual.ctx, tenant.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('drives endpoints from the CLI commands', async () => {
    const { tenant } = await seedTenant(manual.ctx);
    const url = receiver.url('/cli');
    const secret = await runCommand(manual.ctx, {
      command: 'webhook:create',
      tenant: tenant.slug,
      url,
      eventTypes: ['goal.reached', 'chat.session.created'],
    });
    expect(secret).toMatch(/^whsec_/);
    const list = await runCommand(manual.ctx, { command: 'webhook:list', tenant: tenant.slug });
    expect(list).toContain(url);
    expect(list).toContain('chat.session.created,goal.reached');
    expect(list).not.toContain(secret);
    const id = list.split('\n')[1]!.split(' ')[0]!;
    expect(await runCommand(manual.ctx, { command: 'webhook:disable', tenant: tenant.slug, id })).toBe(id);
    expect(manual.ctx.webhooks.endpointsFor(tenant.id, 'goal.reached')).toEqual([]);
    expect(await runCommand(manual.ctx, { command: 'webhook:enable', tenant: tenant.slug, id })).toBe(id);
    expect(manual.ctx.webhooks.endpointsFor(tenant.id, 'goal.reached')).toEqual([id]);
    expect(await runCommand(manual.ctx, { command: 'webhook:deliveries', tenant: tenant.slug })).toContain('DELIVERY');
    expect(await runCommand(manual.ctx, { command: 'webhook:delete', tenant: tenant.slug, id })).toBe(id);
    expect(await runCommand(manual.ctx, { command: 'webhook:list', tenant: tenant.slug })).not.toContain(url);
    await expect(runCommand(manual.ctx, { command: 'webhook:delete', tenant: tenant.slug, id })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('events through the job queue', () => {
  it('sends exactly one chat.execution.updated per turn and per worker, sweeper or supersede change, in order', async () => {
    const { tenant, key } = await seedTenant(live.ctx, {
      flows: [exampleFlow('track_order'), exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const hook = await endpoint(live.ctx, tenant.id, ['chat.execution.updated', 'chat.execution.completed']);
    const w = new Widget(live.app);
    await w.open(key.key);

    // track_order: trigger (waiting_input) → resume (waiting_time) → the worker's task (completed).
    const ask = await w.trigger('track_order');
    const turn = await w.resume(ask, { order_number: '12345' });
    expect(turn.body.status).toBe('waiting_time');
    const tracked = String(ask.body.executionId);
    const updates = (id: string) =>
      receiver
        .on(hook.path)
        .filter((r) => r.payload.type === 'chat.execution.updated' && r.payload.data.executionId === id);
    // The worker's change is announced like the others (the conversation is busy until then).
    await receiver.waitFor(() => updates(tracked).length >= 3);
    // order_status twice: the second trigger supersedes the first, which waits for input.
    const first = await w.trigger('order_status');
    const second = await w.trigger('order_status');
    // The sweeper expires the second one's wait.
    await sweepExecutions(live.ctx, new Date(Date.now() + 2 * 24 * 3600 * 1000));

    await receiver.waitFor(
      () =>
        updates(tracked).length >= 3 &&
        updates(String(first.body.executionId)).length >= 2 &&
        updates(String(second.body.executionId)).length >= 2 &&
        receiver.on(hook.path).some((r) => r.payload.type === 'chat.execution.completed'),
    );
    const shape = (id: string) =>
      updates(id)
        .map((r) => r.payload.data)
        .sort((a, b) => Number(a.version) - Number(b.version))
        .map((d) => [d.version, d.previousStatus, d.status, d.cause]);
    expect(shape(tracked)).toEqual([
      [1, null, 'waiting_input', 'trigger'],
      [2, 'waiting_input', 'waiting_time', 'resume'],
      [3, 'waiting_time', 'completed', 'job'],
    ]);
    expect(shape(String(first.body.executionId))).toEqual([
      [1, null, 'waiting_input', 'trigger'],
      [2, 'waiting_input', 'aborted', 'supersede'],
    ]);
    expect(shape(String(second.body.executionId))).toEqual([
      [1, null, 'waiting_input', 'trigger'],
      [2, 'waiting_input', 'aborted', 'sweep'],
    ]);
    expect(receiver.on(hook.path).every((r) => r.verified)).toBe(true);
    const completed = receiver.on(hook.path).filter((r) => r.payload.type === 'chat.execution.completed');
    expect(completed.map((r) => r.payload.data)).toEqual([
      expect.objectContaining({ executionId: tracked, customerId: 'u-42', intentName: 'track_order', version: 3 }),
    ]);
    const updated = updates(tracked)[0]!.payload.data;
    expect(updated).toMatchObject({ conversationId: ask.body.conversationId, tokenUsage: null, error: null });

    // The outbox holds each change once, in version order per execution.
    const events = await live.ctx.kysely
      .selectFrom('webhook_events')
      .select(['payload', 'seq'])
      .where('tenant_id', '=', tenant.id)
      .where('type', '=', 'chat.execution.updated')
      .orderBy('seq')
      .execute();
    expect(events).toHaveLength(7);
    const versions = new Map<string, number[]>();
    for (const e of events) {
      const data = (e.payload as { data: { executionId: string; version: number } }).data;
      versions.set(data.executionId, [...(versions.get(data.executionId) ?? []), data.version]);
    }
    expect([...versions.values()].map((v) => v.join(','))).toEqual(['1,2,3', '1,2', '1,2']);
    // And the receiver got each of them exactly once (no double delivery).
    const ids = receiver.on(hook.path).map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reports an Engine API abort as one more change of the execution', async () => {
    const { tenant, key } = await seedTenant(live.ctx);
    const hook = await endpoint(live.ctx, tenant.id, ['chat.execution.updated']);
    const w = new Widget(live.app);
    await w.open(key.key);
    const ask = await w.trigger('order_status');
    const auth = { id: crypto.randomUUID(), tenantId: tenant.id, scopes: ['engine:write' as const] };
    await abortExecution(live.ctx, auth, String(ask.body.executionId), undefined);
    await receiver.waitFor(() => receiver.on(hook.path).length >= 2);
    const shape = receiver
      .on(hook.path)
      .map((r) => r.payload.data)
      .sort((a, b) => Number(a.version) - Number(b.version))
      .map((d) => [d.version, d.status, d.cause, d.reason]);
    expect(shape).toEqual([
      [1, 'waiting_input', 'trigger', null],
      [2, 'aborted', 'abort', 'aborted_by_api'],
    ]);
  });

  it('answers a handoff flow with the block and tells the receiver chat.handoff.requested', async () => {
    const handoffFlow = {
      intent: intent('talk_to_human'),
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'Let me find someone.' }] },
        { id: 'human', type: 'handoff', queue: 'sales', message: 'Connecting you to {{ "our sales team" }}…' },
      ],
      edges: [{ from: 'hello', to: 'human' }],
    };
    const { tenant, key } = await seedTenant(live.ctx, { flows: [handoffFlow], key: { allIntents: true } });
    const hook = await endpoint(live.ctx, tenant.id, ['chat.handoff.requested', 'chat.session.created']);
    const w = new Widget(live.app);
    const opened = await w.open(key.key);
    const turn = await w.trigger('talk_to_human');
    expect(turn.body.status).toBe('completed');
    expect(turn.body.blocks).toEqual([
      expect.objectContaining({ type: 'text' }),
      expect.objectContaining({ type: 'handoff', message: 'Connecting you to our sales team…', queue: 'sales' }),
    ]);
    await receiver.waitFor(() => receiver.on(hook.path).length >= 2);
    const byType = Object.fromEntries(receiver.on(hook.path).map((r) => [r.payload.type, r]));
    expect(byType['chat.session.created']!.payload.data).toMatchObject({
      conversationId: opened.body.conversationId,
      customerId: 'u-42',
      resumed: false,
    });
    expect(byType['chat.handoff.requested']!.payload.data).toEqual({
      executionId: turn.body.executionId,
      conversationId: opened.body.conversationId,
      customerId: 'u-42',
      intentName: 'talk_to_human',
      nodeId: 'human',
      queue: 'sales',
      message: 'Connecting you to our sales team…',
      requestedAt: expect.any(String),
    });
    expect(receiver.on(hook.path).every((r) => r.verified)).toBe(true);
  });

  it('sends goal.reached with the turn that reached it and conversion.created once per order', async () => {
    const goalFlow = {
      intent: intent('signup'),
      start: 'hit',
      nodes: [
        { id: 'hit', type: 'goal', goal: 'lead_captured' },
        { id: 'bye', type: 'message', blocks: [{ type: 'text', text: 'Thanks!' }] },
      ],
      edges: [{ from: 'hit', to: 'bye' }],
    };
    const { tenant, key } = await seedTenant(live.ctx, { flows: [goalFlow], key: { allIntents: true } });
    const hook = await endpoint(live.ctx, tenant.id, ['goal.reached', 'conversion.created']);
    const w = new Widget(live.app);
    const opened = await w.open(key.key);
    const turn = await w.trigger('signup');
    expect(turn.body.status).toBe('completed');
    const order = { orderId: 'A-1', amount: '19.99', currency: 'EUR', customerId: 'u-42' };
    expect((await reportConversion(live.ctx, tenant.id, order)).created).toBe(true);
    expect((await reportConversion(live.ctx, tenant.id, order)).created).toBe(false);
    // A client purchase is a conversion too (unverified), sent with the telemetry batch that created it.
    const purchase = await live.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/events',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${w.token}` },
      payload: { type: 'purchase', properties: { orderId: 'C-1', amount: '5', currency: 'EUR' } },
    });
    expect(purchase.statusCode).toBeLessThan(300);
    await receiver.waitFor(() => receiver.on(hook.path).length >= 3);
    const byType = Object.fromEntries(receiver.on(hook.path).map((r) => [r.payload.type, r.payload.data]));
    expect(byType['goal.reached']).toMatchObject({
      goal: 'lead_captured',
      conversationId: opened.body.conversationId,
      executionId: turn.body.executionId,
      nodeId: 'hit',
    });
    const client = receiver
      .on(hook.path)
      .map((r) => r.payload)
      .find((p) => p.type === 'conversion.created' && p.data.orderId === 'C-1');
    expect(client?.data).toMatchObject({ source: 'client', verified: false, amount: '5.00', currency: 'EUR' });
    expect(
      receiver
        .on(hook.path)
        .map((r) => r.payload)
        .find((p) => p.type === 'conversion.created' && p.data.orderId === 'A-1')?.data,
    ).toMatchObject({
      orderId: 'A-1',
      amount: '19.99',
      currency: 'EUR',
      source: 'server',
      conversationId: opened.body.conversationId,
    });
    expect(await countRows(live.ctx, 'webhook_events', tenant.id)).toBe(3);
  });

  it('sends form.submission.created with the submission, once for a replayed Idempotency-Key', async () => {
    const { tenant } = await seedTenant(live.ctx);
    await importForm(live.ctx, tenant.id, CONTACT_FORM, { publish: true });
    const key = await createWidgetKey(live.ctx, {
      tenantId: tenant.id,
      label: 'forms',
      origins: [ORIGIN],
      intents: ['order_status'],
      forms: ['contact'],
    });
    const hook = await endpoint(live.ctx, tenant.id, ['form.submission.created']);
    const submit = () =>
      live.app.inject({
        method: 'POST',
        url: `/api/public/v1/forms/contact/submissions?publicKey=${key.key}`,
        headers: { origin: ORIGIN, 'content-type': 'application/json', 'idempotency-key': 'form-1' },
        payload: { values: { name: 'Ada', email: 'ada@example.com', message: 'Hello' }, metadata: { page: '/x' } },
      });
    const first = await submit();
    expect(first.statusCode).toBe(201);
    expect((await submit()).json()).toEqual(first.json());
    // A rejected submission writes no event.
    const bad = await live.app.inject({
      method: 'POST',
      url: `/api/public/v1/forms/contact/submissions?publicKey=${key.key}`,
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      payload: { values: { name: 'Ada', email: 'not-an-email', message: 'Hello' } },
    });
    expect(bad.statusCode).toBe(422);
    await receiver.waitFor(() => receiver.on(hook.path).length >= 1);
    const [got] = receiver.on(hook.path);
    expect(got!.verified).toBe(true);
    expect(got!.payload).toMatchObject({
      type: 'form.submission.created',
      data: {
        submissionId: first.json().submissionId,
        formCode: 'contact',
        formVersion: 1,
        values: { name: 'Ada', email: 'ada@example.com', message: 'Hello' },
        metadata: { page: '/x' },
        publicKeyId: key.id,
      },
    });
    expect(await countRows(live.ctx, 'webhook_events', tenant.id)).toBe(1);
  });
});

describe('payloads', () => {
  it('every body received in this file matches the JSON schema documented for its type', () => {
    expect(receiver.received.length).toBeGreaterThan(20);
    const types = new Set<string>();
    for (const r of receiver.received) {
      expect(isWebhookEventType(r.payload.type)).toBe(true);
      if (!isWebhookEventType(r.payload.type)) continue;
      const parsed = webhookEnvelopeSchema(r.payload.type).safeParse(r.payload);
      expect(parsed.error).toBeUndefined();
      types.add(r.payload.type);
    }
    expect([...types].sort()).toEqual([
      'chat.execution.completed',
      'chat.execution.updated',
      'chat.handoff.requested',
      'chat.session.created',
      'conversion.created',
      'form.submission.created',
      'goal.reached',
    ]);
  });
});
