import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPage } from '../../src/chatWidget/demoPage.js';
import { createConnection } from '../../src/connections/connectionService.js';
import { seedDemo } from '../../src/demo/seedDemo.js';
import { importFlow, unpublishFlow } from '../../src/flows/flowService.js';
import { createWidgetKey, revokeWidgetKey } from '../../src/keys/widgetKeyService.js';
import { llmPerformer } from '../../src/llm/performLlm.js';
import { publishWidgetSettings, setConfigSection } from '../../src/reads/widgetSettingsService.js';
import { createTenant } from '../../src/tenants/tenantStore.js';
import { backend, createTestApp, type TestApp } from '../support/testApp.js';
import { fixtureFlows, SQUARE } from '../support/widgetFixtures.js';

// The reference widget (issue 24) in a real browser (Debian's Chromium), on PostgreSQL only like the admin panel's
// browser tests: the API it drives has its own suites on both databases. Without Chromium the suite is skipped with
// a message, except on CI, where that is a failure.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (backend === 'postgres' && !haveChromium) {
  if (process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  process.stderr.write(`\n[comerix] ${CHROMIUM} not found: skipping the widget's browser tests.\n\n`);
}
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'widget');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** An llm node whose answer is emitted as markdown, streamed as tokens first. */
const llmFlow = {
  intent: { name: 'fx_llm', description: 'Fixture llm', examples: [], required_entities: [] },
  start: 'advise',
  nodes: [
    { id: 'advise', type: 'llm', connection: 'ai', model: 'stub-model', prompt: 'Advise me' },
    { id: 'done', type: 'end' },
  ],
  edges: [{ from: 'advise', to: 'done' }],
};

/**
 * A stand-in for the model (OpenAI's streaming protocol): it writes a word at a time until the test has seen the
 * widget show the tokens, then finishes. The pause only paces the stub; no assertion depends on time.
 */
let releaseModel: (() => void) | undefined;
async function streamCompletion(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for await (const _ of req) {
  }
  let released = false;
  releaseModel = () => {
    released = true;
  };
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'stub-model' };
  const chunk = (body: unknown) => res.write(`data: ${JSON.stringify(body)}\n\n`);
  const delta = (content: string) =>
    chunk({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
  delta('Trail runners ');
  while (!released) {
    delta('grip ');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  delta('on **wet rock**.');
  chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  chunk({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } });
  res.end('data: [DONE]\n\n');
}

describe.runIf(backend === 'postgres' && haveChromium)('the reference widget in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  let other: string;
  let otherServer: Server;
  let widgetDir: string;
  let demo: { tenantId: string; publicKey: string };
  let fixtureKey: string;

  beforeAll(async () => {
    widgetDir = mkdtempSync(join(tmpdir(), 'comerix-widget-'));
    await build({
      configFile: join(process.cwd(), 'web/widget/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: widgetDir, emptyOutDir: true },
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    t = await createTestApp({
      worker: true,
      llm: llmPerformer(),
      env: { COMERIX_PUBLIC_URL: url, COMERIX_WIDGET_DIR: widgetDir },
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    const seeded = await seedDemo(t.ctx);
    demo = { tenantId: seeded.tenantId, publicKey: seeded.publicKey! };

    // A second local origin: the demo page from there (the demo key does not allow it), and the fixture page (a key
    // of its own that does). Both load the script across origins from the server, as a shop's page would.
    const otherPort = await freePort();
    other = `http://127.0.0.1:${otherPort}`;
    const fixtures = await createTenant(t.ctx, { name: 'Fixtures', slug: `fixtures-${port}` });
    await createConnection(t.ctx, {
      tenantId: fixtures.id,
      name: 'ai',
      type: 'openai',
      baseUrl: `${other}/v1`,
      authType: 'none',
      defaultModel: 'stub-model',
    });
    const flows: Record<string, unknown> = { ...fixtureFlows(other), llm: llmFlow };
    // Its own look, to show the appearance section at work: green, on the left.
    await setConfigSection(t.ctx, fixtures.id, {
      section: 'appearance',
      values: { colors: { primary: '#0b7a3e', accent: '#0b7a3e' }, position: 'bottom-left' },
      isPublic: true,
    });
    await publishWidgetSettings(t.ctx, fixtures.id);
    for (const definition of Object.values(flows)) await importFlow(t.ctx, fixtures.id, definition, { publish: true });
    fixtureKey = (
      await createWidgetKey(t.ctx, {
        tenantId: fixtures.id,
        label: 'Fixtures',
        origins: [other],
        intents: Object.keys(flows).map((type) => `fx_${type}`),
      })
    ).key;
    otherServer = createHttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/demo') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          demoPage({ publicKey: demo.publicKey, scriptUrl: `${url}/widget/comerix-chat.js`, pageType: 'product' }),
        );
      } else if (path === '/fixtures') {
        // The fixture key by default; ?key= and ?api= put another key or API address in the same page.
        const query = new URL(req.url ?? '/', other).searchParams;
        const key = query.get('key') ?? fixtureKey;
        const api = query.get('api');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><body style="margin:0;padding:16px;background:#f6f8fa">
<script type="module" src="${url}/widget/comerix-chat.js"></script>
<comerix-chat inline public-key="${encodeURIComponent(key)}" page-type="fixtures"${api ? ` api-base="${encodeURI(api)}"` : ''}></comerix-chat></body></html>`);
      } else if (path === '/v1/chat/completions') {
        void streamCompletion(req, res);
      } else if (path === '/square.svg') {
        res.writeHead(200, { 'content-type': 'image/svg+xml' });
        res.end(SQUARE);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => otherServer.listen(otherPort, '127.0.0.1', resolve));
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (otherServer ? otherServer.close(resolve) : resolve(undefined)));
    await t?.close();
    if (widgetDir) rmSync(widgetDir, { recursive: true, force: true });
  });

  /** A page that records the widget's DOM events and fails the test on a script error or a CSP violation. */
  async function openPage(errors: string[]): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    // A failed request is reported here with its URL (the browser's own console line for it names none).
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
        errors.push(`${response.status()} ${response.url()}`);
      }
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
    });
    // The page's own listeners, as an embedding shop would add them (a string: this file has no DOM types).
    await page.addInitScript({
      content: `window.__events = [];
        for (const type of ['ready', 'open', 'close', 'message', 'status', 'error'])
          document.addEventListener('comerix:' + type, (event) => window.__events.push({ type, detail: event.detail }));`,
    });
    return page;
  }

  /** What has the focus inside the widget: its accessible label, id or text. */
  const focused = (page: Page) =>
    page.evaluate(`(() => {
      const a = document.querySelector('comerix-chat').shadowRoot.activeElement;
      return a ? a.getAttribute('aria-label') || a.id || a.textContent.trim() : null;
    })()`) as Promise<string | null>;

  const events = (page: Page, type: string) =>
    page.evaluate(`window.__events.filter((e) => e.type === ${JSON.stringify(type)}).map((e) => e.detail)`) as Promise<
      Record<string, unknown>[]
    >;

  it('opens on the demo page, answers a quick question through its form, follows track_order through waiting_time, restores after a reload, and records telemetry', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${url}/widget/demo?page=cart`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const widget = page.locator('comerix-chat');
    // The look comes from the demo's public appearance section: its launcher label and primary colour.
    const launcher = widget.getByRole('button', { name: 'Chat with us' });
    await launcher.waitFor();
    expect(await widget.getAttribute('style')).toContain('--cx-primary: #1a73e8');
    await page.screenshot({ path: join(ARTIFACTS, '1-demo-closed.png') });

    await launcher.click();
    await widget.getByText('Hi! How can we help?').waitFor();
    // The cart page's quick questions: order_status and track_order, not the product page's returns question.
    await widget.getByRole('button', { name: 'Where is my order?' }).waitFor();
    expect(await widget.getByRole('button', { name: 'Can I return this item?' }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, '2-demo-open.png') });

    await widget.getByRole('button', { name: 'Where is my order?' }).click();
    const orderNumber = widget.getByLabel('Order number');
    await orderNumber.waitFor();
    // The browser's check mirrors the server's pattern: the problem is shown at the field, nothing is sent.
    await orderNumber.fill('12');
    await widget.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => orderNumber.getAttribute('aria-invalid')).toBe('true');
    await widget.getByText('does not match the expected format').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '3-order-status-field-error.png') });
    await orderNumber.fill('12345');
    await widget.getByRole('button', { name: 'Check' }).click();
    await widget.getByText('has shipped').waitFor();
    expect(await widget.locator('.markdown strong').first().textContent()).toBe('12345');
    await expect.poll(async () => (await events(page, 'status')).map((d) => d.status)).toContain('completed');
    await page.screenshot({ path: join(ARTIFACTS, '4-order-status-done.png') });

    await widget.getByRole('button', { name: 'Track a parcel' }).click();
    // The form that waits is the only one enabled; the answered order_status form above it is disabled.
    const live = widget.locator('form.form:not(:has(fieldset[disabled]))');
    await live.getByRole('button', { name: 'Track', exact: true }).waitFor();
    await live.getByLabel('Order number').fill('12345');
    await live.getByRole('button', { name: 'Track', exact: true }).click();
    await widget.getByText('is shipped (ETA').waitFor();
    const statuses = (await events(page, 'status')).map((d) => d.status);
    // The turn went through waiting_time (the worker ran order_lookup) before it completed.
    expect(statuses.slice(statuses.lastIndexOf('waiting_input'))).toEqual(
      expect.arrayContaining(['waiting_time', 'completed']),
    );
    expect(statuses.lastIndexOf('waiting_time')).toBeLessThan(statuses.lastIndexOf('completed'));
    await page.screenshot({ path: join(ARTIFACTS, '5-track-order-done.png') });
    const ready = await events(page, 'ready');
    const conversationId = ready[0]?.conversationId as string;

    // A reload keeps the conversation (this tab's sessionStorage) and shows its history.
    await page.reload();
    await widget.getByText('is shipped (ETA').waitFor();
    await widget.getByText('has shipped').waitFor();
    const restored = await events(page, 'ready');
    expect(restored).toEqual([{ conversationId, restored: true }]);
    await page.screenshot({ path: join(ARTIFACTS, '6-restored.png') });
    expect(errors).toEqual([]);

    // Telemetry with the page type: the widget_open before the session (public key + anonymous id), the quick
    // questions, the messages; flushed on the reload's page hide at the latest.
    await expect
      .poll(
        async () =>
          (
            await t.ctx.kysely
              .selectFrom('telemetry_events')
              .select(['type', 'page_type', 'properties'])
              .where('tenant_id', '=', demo.tenantId)
              .execute()
          ).map((e) => `${e.type}:${e.page_type ?? (e.properties as { pageType?: string }).pageType}`),
        { timeout: 20_000 },
      )
      .toEqual(
        expect.arrayContaining([
          'widget_open:cart',
          'quick_question_clicked:cart',
          'message_sent:cart',
          'form_viewed:cart',
        ]),
      );
  });

  it('restores a form left open: after a reload the pending wait is live again and can be answered', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${url}/widget/demo?page=cart`);
    const widget = page.locator('comerix-chat');
    await widget.getByRole('button', { name: 'Chat with us' }).click();
    await widget.getByRole('button', { name: 'Where is my order?' }).click();
    await widget.getByLabel('Order number').waitFor();
    await page.reload();
    const orderNumber = widget.getByLabel('Order number');
    await orderNumber.waitFor();
    await orderNumber.fill('12345');
    await widget.getByRole('button', { name: 'Check' }).click();
    await widget.getByText('has shipped').waitFor();
    expect(errors).toEqual([]);
  });

  it('from an origin the key does not allow, fails to open a session and says why', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${other}/demo`);
    const widget = page.locator('comerix-chat');
    await widget.getByRole('button', { name: /chat/i }).first().click();
    const problem = widget.locator('[data-problem="config"]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(`page's origin (${other}) is probably not among the allowed origins`);
    expect(await events(page, 'ready')).toEqual([]);
    // The console names the page's origin for the developer (besides the browser's own CORS message).
    expect(errors.some((e) => e.includes('[comerix-chat]') && e.includes(other))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, '7-origin-not-allowed.png') });
  });

  it('renders every block type, one fixture each, without running server text as HTML', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${other}/fixtures`);
    const widget = page.locator('comerix-chat');
    const topic = widget.getByLabel('Topic');
    await topic.waitFor();
    const types = Object.keys(fixtureFlows(other));
    for (const type of types) {
      await topic.selectOption(`fx_${type}`);
      await widget.getByRole('button', { name: 'Send', exact: true }).click();
      const entry = widget.locator(`[data-block-type="${type}"]`).last();
      await entry.waitFor();
      await entry.screenshot({ path: join(ARTIFACTS, `block-${type}.png`) });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'blocks-all.png'), fullPage: true });

    const text = widget.locator('[data-block-type="text"] .text');
    expect(await text.textContent()).toContain('<img src=x');
    expect(await text.locator('img').count()).toBe(0);
    const markdown = widget.locator('[data-block-type="markdown"]');
    expect(await markdown.locator('strong').textContent()).toBe('Ann_*<b>');
    expect(await markdown.locator('a').count()).toBe(1);
    expect(await markdown.locator('a').getAttribute('href')).toBe('https://acme.com/');
    expect(await markdown.locator('a').getAttribute('rel')).toBe('noopener noreferrer');
    expect(await markdown.locator('li').count()).toBe(2);
    expect(await widget.locator('[data-block-type="product"] .price').textContent()).toMatch(/59[.,]90/);
    expect(await widget.locator('[data-block-type="carousel"] .card').count()).toBe(3);
    expect(await widget.locator('[data-block-type="error"]').getAttribute('role')).toBeNull();
    expect(await widget.locator('[data-block-type="error"] [data-code="task_error"]').count()).toBe(1);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('shows an LLM answer token by token, then the final block in its place', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${other}/fixtures`);
    const widget = page.locator('comerix-chat');
    await widget.getByLabel('Topic').selectOption('fx_llm');
    await widget.getByRole('button', { name: 'Send', exact: true }).click();
    const streaming = widget.locator('.streaming');
    await streaming.waitFor();
    await expect.poll(() => streaming.textContent()).toContain('grip');
    expect(await widget.locator('[data-progress="waiting_time"]').count()).toBe(1);
    const blockId = await streaming.getAttribute('data-block-id');
    await page.screenshot({ path: join(ARTIFACTS, 'llm-streaming.png') });
    releaseModel?.();
    const final = widget.locator(`[data-block-type="markdown"][data-block-id="${blockId}"]`);
    await final.waitFor();
    expect(await final.locator('strong').textContent()).toBe('wet rock');
    expect(await final.textContent()).toMatch(/^\s*Trail runners grip /);
    expect(await widget.locator('.streaming').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'llm-done.png') });
    expect(errors).toEqual([]);
  });

  it('says so when the key was revoked, and when the service cannot be reached', async () => {
    const fixtures = await t.ctx.kysely
      .selectFrom('public_keys')
      .select('tenant_id')
      .where('key', '=', fixtureKey)
      .executeTakeFirstOrThrow();
    const revoked = await createWidgetKey(t.ctx, {
      tenantId: fixtures.tenant_id,
      label: 'Revoked',
      origins: [other],
      allIntents: true,
    });
    await revokeWidgetKey(t.ctx, revoked.key);
    const page = await openPage([]);
    await page.goto(`${other}/fixtures?key=${revoked.key}`);
    const problem = page.locator('comerix-chat [data-problem]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-problem')).toBe('revoked');
    expect(await problem.textContent()).toContain('no longer available');
    await page.screenshot({ path: join(ARTIFACTS, '8-key-revoked.png') });

    // Nothing listens on this port: offline, with a button to try again.
    await page.goto(`${other}/fixtures?api=http://127.0.0.1:${await freePort()}`);
    await problem.waitFor();
    expect(await problem.getAttribute('data-problem')).toBe('offline');
    expect(await page.locator('comerix-chat').getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, '9-offline.png') });
  });

  it("shows the server's 422 under the field it names, keeps the form live, and accepts the corrected answer", async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${other}/fixtures`);
    const widget = page.locator('comerix-chat');
    await widget.getByLabel('Topic').selectOption('fx_form');
    await widget.getByRole('button', { name: 'Send', exact: true }).click();
    const form = widget.locator('form.form');
    await form.getByRole('button', { name: 'Send it' }).waitFor();
    // The browser's own checks first: both required fields, nothing sent.
    await form.getByRole('button', { name: 'Send it' }).click();
    await expect.poll(() => form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').allTextContents()).toEqual([
      'Email is required',
      'I accept the terms must be checked',
    ]);
    // Focus goes to the first field to fix.
    expect(await focused(page)).toMatch(/-email$/);

    await form.getByLabel('Email').fill('ann@example.com');
    await form.getByLabel('I accept the terms').check();
    await form.getByLabel('Voucher code').fill('zz');
    await form.getByRole('button', { name: 'Send it' }).click();
    const code = form.getByLabel('Voucher code');
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await code.getAttribute('aria-describedby');
    expect(await form.locator(`[id="${describedBy}"]`).textContent()).toBe('does not match the expected format');
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('false');
    await form.screenshot({ path: join(ARTIFACTS, '10-server-field-error.png') });

    await code.fill('AB1');
    await form.getByRole('button', { name: 'Send it' }).click();
    await expect.poll(async () => (await events(page, 'status')).at(-1)?.status).toBe('completed');
    expect(await form.locator('fieldset').getAttribute('disabled')).not.toBeNull();
    expect(errors.filter((e) => !e.startsWith('422 '))).toEqual([]);
  });

  it('is driven by the keyboard: Enter opens the panel, focus moves into it, Escape closes it and returns focus', async () => {
    const page = await openPage([]);
    await page.goto(`${url}/widget/demo`);
    const widget = page.locator('comerix-chat');
    const launcher = widget.getByRole('button', { name: 'Chat with us' });
    await launcher.focus();
    await page.keyboard.press('Enter');
    const close = widget.getByRole('button', { name: 'Close chat' });
    await expect.poll(() => focused(page)).toBe('Close chat');
    expect(await close.count()).toBe(1);
    expect(await widget.getByRole('dialog').getAttribute('aria-label')).toBe('Demo widget');
    expect(await widget.getByRole('log').getAttribute('aria-live')).toBe('polite');
    await page.keyboard.press('Escape');
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => focused(page)).toBe('Chat with us');
  });

  it('says a topic is not available when its flow was unpublished after the session opened', async () => {
    const { tenant_id: tenantId } = await t.ctx.kysely
      .selectFrom('public_keys')
      .select('tenant_id')
      .where('key', '=', fixtureKey)
      .executeTakeFirstOrThrow();
    const gone = { ...fixtureFlows(other).text, intent: { ...llmFlow.intent, name: 'fx_gone', description: 'Gone' } };
    await importFlow(t.ctx, tenantId, gone, { publish: true });
    const key = await createWidgetKey(t.ctx, { tenantId, label: 'All', origins: [other], allIntents: true });
    const page = await openPage([]);
    await page.goto(`${other}/fixtures?key=${key.key}`);
    const widget = page.locator('comerix-chat');
    await widget.getByLabel('Topic').selectOption('fx_gone');
    await unpublishFlow(t.ctx, tenantId, 'fx_gone');
    await widget.getByRole('button', { name: 'Send', exact: true }).click();
    const problem = widget.locator('[data-problem]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-problem')).toBe('unknown_intent');
    expect(await problem.getAttribute('data-code')).toBe('intent_not_matched');
    expect(await problem.textContent()).toContain('that topic is not available');
  });
});
