import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import contact from '../../examples/forms/contact.json' with { type: 'json' };
import {
  type ComerixClientOptions,
  ComerixError,
  createComerixClient,
  type RetryInfo,
  type Session,
} from '../../sdk/src/index.js';
import { importForm } from '../../src/forms/formService.js';
import { addQuickQuestion, publishWidgetSettings, setConfigSection } from '../../src/reads/widgetSettingsService.js';
import { signSessionToken } from '../../src/security/sessionToken.js';
import { revokeSessions } from '../../src/sessions/revokeSessions.js';
import { exampleFlow, ORIGIN, seedTenant } from '../support/fixtures.js';
import { PDF } from '../support/multipart.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

// The SDK against the real server over real HTTP (fetch), on the file's database (PGlite or PostgreSQL).
let t: TestApp;
let base: string;
let publicKey: string;
let tenantId: string;

const intent = (name: string) => ({ name, description: name, examples: [], required_entities: [] });
const delayFlow = (name: string, seconds: number) => ({
  intent: intent(name),
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'One moment…' }] },
    { id: 'pause', type: 'delay', seconds },
    { id: 'bye', type: 'message', blocks: [{ type: 'text', text: 'Done waiting.' }] },
  ],
  edges: [
    { from: 'hello', to: 'pause' },
    { from: 'pause', to: 'bye' },
  ],
});
const fileFlow = {
  intent: intent('send_receipt'),
  start: 'ask',
  nodes: [
    {
      id: 'ask',
      type: 'ask',
      fields: [{ name: 'receipt', type: 'file', label: 'Receipt', required: true, accept: ['application/pdf'] }],
    },
    { id: 'thanks', type: 'message', blocks: [{ type: 'text', text: 'Got it.' }] },
  ],
  edges: [{ from: 'ask', to: 'thanks' }],
};

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const { tenant, key } = await seedTenant(t.ctx, {
    flows: [
      exampleFlow('order_status'),
      exampleFlow('track_order'),
      delayFlow('slow', 1),
      delayFlow('slower', 30),
      fileFlow,
    ],
    key: { allIntents: true, allForms: true },
  });
  publicKey = key.key;
  tenantId = tenant.id;
  await importForm(t.ctx, tenant.id, contact, { publish: true });
});
afterAll(async () => {
  await t?.close();
});

/** A client whose requests (and retries) are recorded; `wrap` can change what fetch answers. */
function client(options: Partial<ComerixClientOptions> & { wrap?: (res: Response, req: Request) => Response } = {}) {
  const requests: Request[] = [];
  const retries: RetryInfo[] = [];
  const { wrap, ...rest } = options;
  const comerix = createComerixClient({
    baseUrl: base,
    publicKey,
    origin: ORIGIN,
    retryBaseDelayMs: 20,
    onRetry: (info) => retries.push(info),
    fetch: async (input, init) => {
      const req = new Request(input, init);
      requests.push(req.clone());
      const res = await fetch(req);
      return wrap ? wrap(res, req) : res;
    },
    ...rest,
  });
  return { comerix, requests, retries };
}

describe('the seed lifecycle through the SDK', () => {
  it('opens a session, triggers, gets 422 details, resumes to completed (steps 1–5)', async () => {
    const { comerix, requests } = client();
    const chat = await comerix.openChat({ customerId: 'u-42' });
    expect(chat.sessionToken.startsWith('eyJ0aWQi')).toBe(true);
    expect(chat.intents.map((i) => i.name)).toContain('order_status');
    const ask = await chat.trigger('order_status', { text: 'check my order' });
    expect(ask.status).toBe('waiting_input');
    expect(ask.blocks.map((b) => b.type)).toEqual(['text', 'form']);
    const invalid = await chat.resume(ask, { order_number: 'x' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ComerixError);
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 422, retryable: false });
    expect((invalid as ComerixError).requestId).not.toBe('');
    expect((invalid as ComerixError).fields).toEqual([
      expect.objectContaining({ path: 'values.order_number', rule: expect.any(String) }),
    ]);
    // The wait token stays valid after a 422.
    const done = await chat.resume(ask, { order_number: '12345' });
    expect(done.status).toBe('completed');
    expect(done.blocks).toEqual([
      expect.objectContaining({ type: 'markdown', text: expect.stringContaining('12345') }),
    ]);
    // Every POST carried an Idempotency-Key, a fresh one per logical call.
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(4);
    const keys = posts.map((r) => r.headers.get('idempotency-key'));
    expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(4);
  });

  it('waits out waiting_time by long poll (step 6)', async () => {
    const { comerix } = client();
    const chat = await comerix.openChat({ customerId: 'u-6' });
    const ask = await chat.trigger('track_order');
    const working = await chat.resume(ask, { order_number: '12345' });
    expect(working.status).toBe('waiting_time');
    const seen: string[] = [];
    const settled = await chat.wait(working, { onBlock: (b) => seen.push(b.type) });
    expect(settled.status).toBe('completed');
    expect(settled.blocks).toEqual([expect.objectContaining({ text: expect.stringContaining('is shipped') })]);
    expect(seen).toEqual(['markdown']);
  });

  it('waits out waiting_time by SSE over fetch', async () => {
    const { comerix, requests } = client();
    const chat = await comerix.openChat({ customerId: 'u-7' });
    const working = await chat.trigger('slow');
    expect(working.status).toBe('waiting_time');
    const settled = await chat.wait(working, { mode: 'stream' });
    expect(settled.status).toBe('completed');
    expect(settled.blocks).toEqual([expect.objectContaining({ text: 'Done waiting.' })]);
    const stream = requests.find((r) => r.url.includes('/stream'))!;
    expect(stream.headers.get('authorization')).toBe(`Bearer ${chat.sessionToken}`);
    expect(stream.headers.get('accept')).toBe('text/event-stream');
  });

  it('resumes an SSE stream from the last event id after a dropped connection', async () => {
    let cut = false;
    const { comerix, requests, retries } = client({
      // The first stream's connection dies right after its first event.
      wrap: (res, req) => {
        if (cut || !req.url.includes('/stream') || !res.body) return res;
        cut = true;
        const reader = res.body.getReader();
        let text = '';
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            text += new TextDecoder().decode(value);
            const end = text.indexOf('\n\n');
            if (end >= 0) {
              controller.enqueue(new TextEncoder().encode(text.slice(0, end + 2)));
              await reader.cancel();
              controller.error(new TypeError('terminated'));
              return;
            }
          },
        });
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    const chat = await comerix.openChat({ customerId: 'u-8' });
    const ask = await chat.trigger('order_status');
    const events = [];
    for await (const event of chat.stream(ask.executionId)) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['block', 'block', 'done']);
    expect(events[0]).toMatchObject({ id: '1', block: { type: 'text' } });
    expect(events[1]).toMatchObject({ id: '2', block: { type: 'form' } });
    expect(events[2]).toMatchObject({ execution: { status: 'waiting_input', waitToken: ask.waitToken } });
    const streams = requests.filter((r) => r.url.includes('/stream'));
    expect(streams).toHaveLength(2);
    expect(streams[0]!.headers.get('last-event-id')).toBeNull();
    expect(streams[1]!.headers.get('last-event-id')).toBe('1');
    expect(retries).toEqual([
      expect.objectContaining({ attempt: 1, error: expect.objectContaining({ code: 'network_error' }) }),
    ]);
  });

  it('retries 409 conversation_busy (same Idempotency-Key) until the conversation is free', async () => {
    const { comerix, requests, retries } = client({ maxRetries: 30 });
    const chat = await comerix.openChat({ customerId: 'u-9' });
    expect((await chat.trigger('slow')).status).toBe('waiting_time');
    const turn = await chat.trigger('order_status');
    expect(turn.status).toBe('waiting_input');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ delayMs: 1000, error: { code: 'conversation_busy', status: 409 } });
    const tries = requests.filter((r) => r.url.endsWith('/chat/messages')).slice(1);
    expect(new Set(tries.map((r) => r.headers.get('idempotency-key'))).size).toBe(1);
  });

  it('answers history with pending, so a reloaded widget finishes the open form', async () => {
    const first = client().comerix;
    const chat = await first.openChat({ customerId: 'u-10' });
    const ask = await chat.trigger('order_status');
    // The page reloads: a new client continues the conversation with its id and token.
    const { comerix } = client();
    const again = await comerix.openChat({
      customerId: 'u-10',
      conversationId: chat.conversationId,
      conversationToken: chat.conversationToken,
    });
    expect(again.conversationId).toBe(chat.conversationId);
    const history = await again.history();
    expect(history.items.length).toBeGreaterThan(0);
    const pending = await again.pending();
    expect(pending).toMatchObject({ executionId: ask.executionId, status: 'waiting_input', waitToken: ask.waitToken });
    const done = await again.resume(pending!, { order_number: '12345' });
    expect(done.status).toBe('completed');
  });

  it('uploads a file for an ask step and resumes with its fileRef', async () => {
    const { comerix } = client();
    const chat = await comerix.openChat({ customerId: 'u-11' });
    const ask = await chat.trigger('send_receipt');
    expect(ask.status).toBe('waiting_input');
    const ref = await chat.upload(ask.executionId, 'receipt', new Blob([PDF], { type: 'application/pdf' }), 'r.pdf');
    expect(ref).toMatchObject({ contentType: 'application/pdf', size: PDF.length });
    const done = await chat.resume(ask, { receipt: ref.id });
    expect(done).toMatchObject({ status: 'completed', blocks: [{ text: 'Got it.' }] });
  });
});

describe('sessions: renewal and final failures', () => {
  it('renews on session_expired and repeats the call, keeping the conversation', async () => {
    const { comerix, requests } = client();
    const chat = await comerix.openChat({ customerId: 'u-20' });
    const claims = JSON.parse(Buffer.from(chat.sessionToken.split('.')[0]!, 'base64url').toString());
    const expired = signSessionToken(t.ctx.secrets, { ...claims, exp: Math.floor(Date.now() / 1000) - 5 });
    // Pretend the session aged out while the widget stayed open.
    (chat as unknown as { state: Session }).state = { ...chat.session, sessionToken: expired };
    const turn = await chat.trigger('order_status');
    expect(turn.status).toBe('waiting_input');
    expect(turn.conversationId).toBe(chat.conversationId);
    expect(chat.sessionToken).not.toBe(expired);
    expect(requests.filter((r) => r.url.endsWith('/chat/sessions'))).toHaveLength(2);
    // Telemetry sent with an expired session renews it too, and its events are not lost.
    const claims2 = JSON.parse(Buffer.from(chat.sessionToken.split('.')[0]!, 'base64url').toString());
    const expired2 = signSessionToken(t.ctx.secrets, { ...claims2, exp: Math.floor(Date.now() / 1000) - 5 });
    (chat as unknown as { state: Session }).state = { ...chat.session, sessionToken: expired2 };
    comerix.telemetry.track('message_sent');
    expect(await comerix.telemetry.flush()).toMatchObject({ accepted: 1, rejected: [] });
    expect(requests.filter((r) => r.url.endsWith('/chat/sessions'))).toHaveLength(3);
    expect(requests.at(-1)!.headers.get('authorization')).toBe(`Bearer ${chat.sessionToken}`);
  });

  it('never retries or renews a revoked session (401 invalid_session_token is final)', async () => {
    const { comerix, requests, retries } = client();
    const chat = await comerix.openChat({ customerId: 'u-21' });
    await revokeSessions(t.ctx, tenantId, { conversationId: chat.conversationId });
    const error = await chat.trigger('order_status').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_session_token', status: 401, retryable: false });
    expect(retries).toEqual([]);
    expect(requests.filter((r) => r.url.endsWith('/chat/sessions'))).toHaveLength(1);
  });

  it('types the other errors of a turn: 403 intent_not_allowed / 404 intent_not_matched, 404 execution_not_found', async () => {
    const { comerix, retries } = client();
    const chat = await comerix.openChat({ customerId: 'u-22' });
    await expect(chat.trigger('no_such_intent')).rejects.toMatchObject({ status: expect.any(Number) });
    await expect(chat.poll('0193f8a1-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'execution_not_found',
      status: 404,
    });
    const bad = createComerixClient({ baseUrl: base, publicKey: 'pk_live_nope', origin: ORIGIN });
    await expect(bad.openChat({ customerId: 'x' })).rejects.toMatchObject({ code: 'invalid_public_key', status: 401 });
    expect(retries).toEqual([]);
  });
});

describe('telemetry', () => {
  it('batches events with clientEventId, anonymously before a session and with it after; flushes on page hide', async () => {
    const { comerix, requests } = client({ telemetry: { flushIntervalMs: 60_000 } });
    comerix.telemetry.track('widget_open', { pageType: 'product' });
    comerix.telemetry.track('chat_peeked', { where: 'header' });
    expect(comerix.telemetry.size).toBe(2);
    expect(await comerix.telemetry.flush()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const anonymous = requests.at(-1)!;
    expect(anonymous.headers.get('x-comerix-public-key')).toBe(publicKey);
    const sent = (await anonymous.json()) as { anonymousId: string; events: { clientEventId: string }[] };
    expect(sent.anonymousId).toBe(comerix.anonymousId);
    expect(sent.events.every((e) => e.clientEventId.length > 0)).toBe(true);

    await comerix.openChat({ customerId: 'u-30' });
    const page = new EventTarget();
    const stop = comerix.telemetry.flushOnPageHide(page);
    comerix.telemetry.track('message_sent');
    const flushed = new Promise<void>((resolve) => {
      const check = () => (comerix.telemetry.size === 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    page.dispatchEvent(new Event('pagehide'));
    await flushed;
    stop();
    const withSession = requests.at(-1)!;
    expect(withSession.headers.get('authorization')).toBe(`Bearer ${comerix.chat!.sessionToken}`);
    expect(withSession.keepalive).toBe(true);
  });
});

describe('forms and published reads', () => {
  it('reads a form schema with ETag (304 from cache), mounts, uploads and submits with typed 422', async () => {
    const { comerix, requests } = client();
    const first = await comerix.formSchema('contact');
    expect(first).toMatchObject({ notModified: false, body: { code: 'contact', title: 'Contact us' } });
    expect(first.etag).toBeTruthy();
    const second = await comerix.formSchema('contact');
    expect(second).toMatchObject({ notModified: true, body: first.body });
    expect(requests.at(-1)!.headers.get('if-none-match')).toBe(first.etag);
    expect((await comerix.mountForm('contact')).code).toBe('contact');

    const invalid = await comerix.submitForm('contact', { name: 'Ada' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 422 });
    expect((invalid as ComerixError).fields.map((f) => f.path)).toEqual(
      expect.arrayContaining(['values.email', 'values.message']),
    );
    const ref = await comerix.uploadFormFile('contact', 'attachment', new Blob([PDF]), 'receipt.pdf');
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    const wrongType = await comerix
      .uploadFormFile('contact', 'attachment', new Blob(['plain text']), 'a.txt')
      .catch((e: unknown) => e);
    expect(wrongType).toMatchObject({ code: 'unsupported_media_type', status: 415 });
    const done = await comerix.submitForm('contact', {
      name: 'Ada',
      email: 'ada@example.com',
      message: 'Hello',
      attachment: ref.id,
    });
    expect(done.submissionId).toBeTruthy();
    expect(done.confirmation.message).toContain('Thanks');
    await expect(comerix.formSchema('nope')).rejects.toMatchObject({ code: 'form_not_found', status: 404 });
  });

  it('reads quick questions and config sections, revalidating with If-None-Match', async () => {
    await addQuickQuestion(t.ctx, tenantId, { text: 'Where is my order?', position: 1, pageTypes: ['product'] });
    await setConfigSection(t.ctx, tenantId, { section: 'appearance', values: { greeting: 'Hi' }, isPublic: true });
    // Publishing the form built the tenant's edge document: publish again so the reads see these.
    await publishWidgetSettings(t.ctx, tenantId);
    const { comerix } = client();
    const qq = await comerix.quickQuestions({ pageTypes: ['product', 'cart'] });
    expect(qq.body.items.map((i) => i.text)).toEqual(['Where is my order?']);
    expect(qq.edgeSource).toBe('published');
    expect((await comerix.quickQuestions({ pageTypes: ['product', 'cart'] })).notModified).toBe(true);
    const config = await comerix.config('appearance');
    expect(config.body).toEqual({ section: 'appearance', values: { greeting: 'Hi' } });
    expect((await comerix.config('appearance')).notModified).toBe(true);
    await expect(comerix.config('nope')).rejects.toMatchObject({ code: 'config_section_not_found', status: 404 });
  });
});
