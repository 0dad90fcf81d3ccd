import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../src/admin/adminUserService.js';
import { runCommand } from '../../src/cli/runCommand.js';
import { createTenant } from '../../src/tenants/tenantStore.js';
import { exampleFlow } from '../support/fixtures.js';
import { multipartBody, PNG } from '../support/multipart.js';
import { backend, createTestApp, type TestApp } from '../support/testApp.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';

// Part two of the admin panel in a real browser (Debian's Chromium), on PostgreSQL only, as part one: widget
// settings, forms, connections, webhooks, usage, users and the audit log. What a screen creates is compared, through
// the admin API, with what the CLI creates from the same input in a twin tenant.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (backend === 'postgres' && !haveChromium) {
  if (process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  process.stderr.write(`\n[comerix] ${CHROMIUM} not found: skipping the admin panel's browser tests.\n\n`);
}
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin-panel-settings');
/** With COMERIX_DOCS_SCREENSHOTS=1 the screenshots also land in docs/images/admin-panel/ (how the guide's images are made). */
const DOCS_IMAGES =
  process.env.COMERIX_DOCS_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images', 'admin-panel') : undefined;
const PASSWORD = 'correct horse battery';
const ORIGIN = 'https://shop.example';
const ADMIN = '/api/admin/v1';
const PUBLIC = '/api/public/v1';

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

/** Drops what differs between two tenants by nature (ids, keys, times), to compare what a screen and the CLI made. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !['id', 'key', 'createdAt', 'updatedAt', 'revokedAt', 'publishedVersionId'].includes(k))
        .map(([k, v]) => [k, comparable(v)]),
    );
  }
  return value;
}

describe.runIf(backend === 'postgres' && haveChromium)('admin panel settings screens in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  let panelDir: string;
  let tenant: { id: string; slug: string };
  let twin: { id: string; slug: string };
  const receiver = new WebhookReceiver();
  // A small API for the connection test: it records the headers it was called with.
  let api: Server;
  let apiUrl: string;
  const apiCalls: { url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    panelDir = mkdtempSync(join(tmpdir(), 'comerix-panel2-'));
    await build({
      configFile: join(process.cwd(), 'web/admin/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: panelDir, emptyOutDir: true },
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The worker delivers webhooks in this process.
    t = await createTestApp({ worker: true, env: { COMERIX_PUBLIC_URL: url, COMERIX_ADMIN_PANEL_DIR: panelDir } });
    await t.app.listen({ port, host: '127.0.0.1' });
    tenant = await createTenant(t.ctx, { name: 'Settings', slug: `settings-${port}` });
    twin = await createTenant(t.ctx, { name: 'Twin', slug: `twin-${port}` });
    for (const slug of [tenant.slug, twin.slug]) {
      for (const name of ['order_status', 'returns'] as const) {
        await runCommand(t.ctx, { command: 'flow:import', tenant: slug, definition: exampleFlow(name), publish: true });
      }
    }
    for (const [email, role] of [
      ['owner@settings.example', 'owner'],
      ['editor@settings.example', 'editor'],
    ] as const) {
      await createAdminUser(t.ctx, { tenantId: tenant.id, email, role, password: PASSWORD, actor: 'test' });
    }
    await createAdminUser(t.ctx, {
      tenantId: twin.id,
      email: 'owner@twin.example',
      role: 'owner',
      password: PASSWORD,
      actor: 'test',
    });
    await receiver.start();
    api = createHttpServer((req, res) => {
      apiCalls.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(req.url === '/v1/health' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1`;
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await receiver.close();
    await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
    await t?.close();
    if (panelDir) rmSync(panelDir, { recursive: true, force: true });
  });

  async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
    const path = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path, ...options });
    if (DOCS_IMAGES) {
      mkdirSync(DOCS_IMAGES, { recursive: true });
      copyFileSync(path, join(DOCS_IMAGES, `${name}.png`));
    }
  }

  const errors: string[] = [];
  async function loggedIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    // A CSP violation or a script error fails the test: the panel must run under the strict policy.
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().includes('status of 4')) errors.push(msg.text());
    });
    await page.goto(`${url}/admin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    return page;
  }

  /** The admin API as another client would call it (cookie and CSRF of its own login). */
  async function adminApi(email: string) {
    const login = await t.app.inject({
      method: 'POST',
      url: `${ADMIN}/auth/login`,
      payload: { email, password: PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = String((JSON.parse(login.body) as { csrfToken: string }).csrfToken);
    return async (method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) => {
      const res = await t.app.inject({
        method,
        url: `${ADMIN}${path}`,
        headers: { cookie, 'x-csrf-token': csrf },
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
    };
  }

  let publicKey: string;

  it('creates a widget key with two intents and an origin (its 400 beside the field first), as the CLI would', async () => {
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Widget' }).click();
    await page.getByRole('heading', { name: 'Widget settings' }).waitFor();
    await page.getByText('No widget keys yet').waitFor();
    await page.getByRole('button', { name: 'New key' }).click();
    const form = page.getByRole('form', { name: 'Create key' });
    await form.getByLabel('Label', { exact: true }).fill('Shop');
    await form.getByLabel('order_status').check();
    await form.getByLabel('returns').check();
    // No origin: the service's rule, shown beside the origins field.
    await form.getByRole('button', { name: 'Create key' }).click();
    const originError = form.locator('.field-error[data-path="origins"]');
    await originError.waitFor();
    expect(await originError.textContent()).toContain('at least one allowed origin');
    await form.getByLabel('Allowed origins (one per line)').fill(ORIGIN);
    await form.getByRole('button', { name: 'Create key' }).click();
    publicKey = (await page.getByTestId('created-key').textContent())!;
    expect(publicKey).toMatch(/^pk_live_/);
    await page.locator('tr[data-key-label="Shop"]').waitFor();
    await shot(page, 'widget-keys');

    await runCommand(t.ctx, {
      command: 'widget-key:create',
      tenant: twin.slug,
      label: 'Shop',
      origins: [ORIGIN],
      intents: ['order_status', 'returns'],
    });
    const viaScreen = await (await adminApi('owner@settings.example'))('GET', '/widget-keys');
    const viaCli = await (await adminApi('owner@twin.example'))('GET', '/widget-keys');
    expect(comparable(viaScreen.body)).toEqual(comparable(viaCli.body));
    expect(viaScreen.body).toMatchObject({
      keys: [{ label: 'Shop', origins: [ORIGIN], intents: ['order_status', 'returns'], allIntents: false }],
    });

    // Another key, revoked after a confirmation: it stays listed as revoked, with nothing left to do on it.
    await page.getByRole('button', { name: 'New key' }).click();
    const second = page.getByRole('form', { name: 'Create key' });
    await second.getByLabel('Label', { exact: true }).fill('Old');
    await second.getByLabel('All intents (present and future)').check();
    await second.getByLabel('Allowed origins (one per line)').fill('https://old.example');
    await second.getByRole('button', { name: 'Create key' }).click();
    const old = page.locator('tr[data-key-label="Old"]');
    await old.getByRole('button', { name: 'Revoke' }).click();
    await old.getByRole('button', { name: 'Confirm revoke' }).click();
    await old.locator('.badge', { hasText: 'revoked' }).waitFor();
    expect(await old.getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('adds a quick question, styles the widget in the live preview, publishes, and the public read API serves it', async () => {
    const page = await loggedIn('owner@settings.example');
    await page.goto(`${url}/admin/#/widget`);
    const add = page.getByRole('form', { name: 'Add quick question' });
    await add.getByLabel('Question').fill('Where is my order?');
    await add.getByLabel('Starts intent').selectOption('order_status');
    await add.getByLabel(/Page types/).fill('product, cart');
    await add.getByRole('button', { name: 'Add question' }).click();
    await page.locator('.qq-list').getByText('Where is my order?').waitFor();
    // The service says what a publish would change (here everything: nothing was published yet).
    await page
      .getByTestId('pending')
      .getByText(/^Never published: quick questions/)
      .waitFor();

    // A colour the shared schema refuses: its message lands on that colour's input.
    const look = page.getByRole('form', { name: 'Appearance' });
    await look.getByLabel(/^Primary/).fill('blue');
    await look.getByRole('button', { name: 'Save appearance' }).click();
    const colourError = look.locator('.field-error[data-path="values.colors.primary"]');
    await colourError.waitFor();
    expect(await colourError.textContent()).toContain('hex colour');
    await look.getByLabel(/^Primary/).fill('#c2185b');
    await look.getByLabel('Launcher label').fill('Ask us');
    await look.getByLabel('Greeting').fill('Hello from the shop!');
    await look.getByRole('button', { name: 'Save appearance' }).click();
    await look.getByText('Saved; widgets see it after the next publish.').waitFor();
    // The preview is drawn from the same fields: the launcher takes the primary colour and the label.
    const launcher = page.getByTestId('preview-launcher');
    expect(await launcher.textContent()).toBe('Ask us');
    expect(
      await launcher.evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle: (e: unknown) => { backgroundColor: string } }).getComputedStyle(
            el,
          ).backgroundColor,
      ),
    ).toBe('rgb(194, 24, 91)');
    expect(await page.getByTestId('preview-greeting').textContent()).toBe('Hello from the shop!');

    await page.getByRole('button', { name: 'Publish widget settings' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    expect(await published.textContent()).toContain('quick questions');
    await page.getByTestId('pending').getByText('Widgets have the latest settings').waitFor();
    await shot(page, 'widget-settings', { fullPage: true });
    await page.locator('.widget-preview').screenshot({ path: join(ARTIFACTS, 'widget-preview.png') });
    if (DOCS_IMAGES) copyFileSync(join(ARTIFACTS, 'widget-preview.png'), join(DOCS_IMAGES, 'widget-preview.png'));

    const read = await t.app.inject({
      method: 'GET',
      url: `${PUBLIC}/chat/quick-questions?publicKey=${publicKey}&pageType=product`,
      headers: { origin: ORIGIN },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['x-edge-source']).toBe('published');
    expect(JSON.parse(read.body)).toMatchObject({
      items: [{ text: 'Where is my order?', intentName: 'order_status', pageTypes: ['product', 'cart'] }],
    });
    const appearance = await t.app.inject({
      method: 'GET',
      url: `${PUBLIC}/config/appearance?publicKey=${publicKey}`,
      headers: { origin: ORIGIN },
    });
    expect(JSON.parse(appearance.body)).toEqual({
      section: 'appearance',
      values: { colors: { primary: '#c2185b' }, greeting: 'Hello from the shop!', launcherLabel: 'Ask us' },
    });

    await runCommand(t.ctx, {
      command: 'quick-question:add',
      tenant: twin.slug,
      text: 'Where is my order?',
      intentName: 'order_status',
      pageTypes: ['product', 'cart'],
    });
    const viaScreen = await (await adminApi('owner@settings.example'))('GET', '/quick-questions');
    const viaCli = await (await adminApi('owner@twin.example'))('GET', '/quick-questions');
    expect(comparable(viaScreen.body)).toEqual(comparable(viaCli.body));
    expect(errors).toEqual([]);
  });

  let hookSecret: string;

  it('adds a webhook endpoint for form submissions (its secret shown once)', async () => {
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('Endpoint URL').fill(receiver.url('/hooks'));
    // No event type: the service's rule beside the event types.
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.locator('.field-error[data-path="eventTypes"]').waitFor();
    await form.getByLabel('form.submission.created').check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    hookSecret = (await page.getByTestId('webhook-secret').textContent())!;
    expect(hookSecret).toMatch(/^whsec_/);
    receiver.expect('/hooks', hookSecret);
    await page.locator(`tr[data-endpoint="${receiver.url('/hooks')}"] .badge`, { hasText: 'enabled' }).waitFor();
    expect(errors).toEqual([]);
  });

  let formId: string;
  const FORM_FILE = {
    code: 'contact',
    title: 'Contact us',
    submitLabel: 'Send',
    fields: [
      { name: 'email', type: 'email', label: 'Email', required: true },
      {
        name: 'topic',
        type: 'select',
        label: 'Topic',
        options: [
          { label: 'Orders', value: 'orders' },
          { label: 'Returns', value: 'returns' },
        ],
      },
      { name: 'photo', type: 'file', label: 'Photo', accept: ['image/png'], maxSizeBytes: 100000 },
    ],
    confirmation: { message: 'Thanks!' },
  };

  it('builds a form field by field with a live preview, publishes it, and a submission through the public API shows up with its upload', async () => {
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Forms' }).click();
    await page.getByText('No forms yet').waitFor();
    await page.getByRole('link', { name: 'New form' }).click();
    const builder = page.getByRole('form', { name: 'Form builder' });
    await builder.getByLabel('Code').fill('contact');
    await builder.getByLabel('Title').fill('Contact us');
    await builder.getByLabel('Submit button label').fill('Send');
    await builder.getByLabel('Confirmation message').fill('Thanks!');
    const addField = async (type: string) => {
      await builder.getByLabel('New field type').selectOption(type);
      await builder.getByRole('button', { name: 'Add field' }).click();
    };
    await addField('email');
    const first = builder.locator('fieldset.field-editor').nth(0);
    // An upper-case name: the form schema's message lands on that field's name.
    await first.getByLabel(/^Name/).fill('Email');
    await first.getByLabel(/^Label/).fill('Email');
    await first.getByLabel('Required').check();
    await builder.getByRole('button', { name: 'Save draft' }).click();
    const nameError = first.locator('.field-error[data-path="fields[0].name"]');
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain('must match');
    await first.getByLabel(/^Name/).fill('email');

    await addField('select');
    const second = builder.locator('fieldset.field-editor').nth(1);
    await second.getByLabel(/^Name/).fill('topic');
    await second.getByLabel(/^Label/).fill('Topic');
    await second.getByLabel('Option 1 label').fill('Orders');
    await second.getByLabel('Option 1 value').fill('orders');
    await second.getByRole('button', { name: 'Add option' }).click();
    await second.getByLabel('Option 2 label').fill('Returns');
    await second.getByLabel('Option 2 value').fill('returns');

    await addField('file');
    const third = builder.locator('fieldset.field-editor').nth(2);
    await third.getByLabel(/^Name/).fill('photo');
    await third.getByLabel(/^Label/).fill('Photo');
    await third.getByLabel('Accepted types (comma separated)').fill('image/png');
    await third.getByLabel('Max size (bytes)').fill('100000');

    // The preview follows the draft.
    const preview = page.getByRole('figure', { name: 'Form preview' });
    await preview.getByRole('heading', { name: 'Contact us' }).waitFor();
    expect(await preview.getByLabel('Email *').getAttribute('type')).toBe('email');
    expect(await preview.getByLabel('Topic').locator('option').allTextContents()).toEqual([
      'Choose…',
      'Orders',
      'Returns',
    ]);
    expect(await preview.getByLabel('Photo').getAttribute('accept')).toBe('image/png');
    await shot(page, 'form-builder', { fullPage: true });

    await builder.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('published v1').waitFor();
    formId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);

    // The same file through the CLI gives the same form.
    await runCommand(t.ctx, { command: 'form:import', tenant: twin.slug, definition: FORM_FILE, publish: true });
    const screenApi = await adminApi('owner@settings.example');
    const twinApi = await adminApi('owner@twin.example');
    const twinId = ((await twinApi('GET', '/forms')).body.forms as { id: string }[])[0]!.id;
    const viaScreen = (await screenApi('GET', `/forms/${formId}`)).body;
    const viaCli = (await twinApi('GET', `/forms/${twinId}`)).body;
    expect(comparable(viaScreen)).toEqual(comparable(viaCli));
    expect(viaScreen.draft).toEqual(FORM_FILE);

    // The key gets the form in scope on its edit screen (a PATCH), then a visitor submits with a file.
    await page.goto(`${url}/admin/#/widget`);
    const row = page.locator('tr[data-key-label="Shop"]');
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Save key' });
    await edit.getByLabel('All forms').check();
    await edit.getByRole('button', { name: 'Save key' }).click();
    await row.getByText('all forms').waitFor();

    const body = multipartBody({
      fields: { publicKey },
      file: { name: 'file', filename: 'p.png', type: 'image/png', bytes: PNG },
    });
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `${PUBLIC}/forms/contact/uploads?field=photo`,
      headers: { origin: ORIGIN, ...body.headers },
      payload: body.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    const fileId = (JSON.parse(uploaded.body) as { fileRef: { id: string } }).fileRef.id;
    const submitted = await t.app.inject({
      method: 'POST',
      url: `${PUBLIC}/forms/contact/submissions`,
      headers: { origin: ORIGIN },
      payload: { publicKey, values: { email: 'ann@example.com', topic: 'returns', photo: fileId } },
    });
    expect(submitted.statusCode).toBe(201);
    expect(JSON.parse(submitted.body)).toMatchObject({ confirmation: { message: 'Thanks!' } });

    await page.goto(`${url}/admin/#/forms/${formId}`);
    await page.getByRole('tab', { name: 'Submissions' }).click();
    const table = page.getByRole('table', { name: 'Submissions' });
    await table.getByText('ann@example.com').waitFor();
    const download = table.getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('href')).toBe(`/api/admin/v1/uploads/${fileId}`);
    // Served as an attachment, never rendered in the panel's origin.
    const headers = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return [res.status, res.headers.get('content-disposition'), res.headers.get('x-content-type-options')];
    }, `/api/admin/v1/uploads/${fileId}`);
    expect(headers[0]).toBe(200);
    expect(String(headers[1])).toMatch(/^attachment;/);
    expect(headers[2]).toBe('nosniff');
    await shot(page, 'form-submissions');
    expect(errors).toEqual([]);
  });

  it('shows the submission’s webhook delivery in the log, redelivers it, and shows the endpoint once disabled', async () => {
    await receiver.waitFor((got) => got.filter((r) => r.path === '/hooks').length >= 1);
    expect(receiver.on('/hooks')[0]).toMatchObject({ verified: true, payload: { type: 'form.submission.created' } });
    const page = await loggedIn('owner@settings.example');
    await page.goto(`${url}/admin/#/webhooks`);
    const log = page.getByRole('table', { name: 'Deliveries' });
    // The delivery is marked once the receiver's answer is recorded: refresh until the log shows it.
    const succeeded = log.locator('tr[data-status="succeeded"]');
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
        return succeeded.count();
      })
      .toBe(1);
    await succeeded.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByText('Sent again as delivery').waitFor();
    await receiver.waitFor((got) => got.filter((r) => r.path === '/hooks').length >= 2);
    const [once, again] = receiver.on('/hooks');
    expect(again!.verified).toBe(true);
    expect(again!.headers['webhook-id']).toBe(once!.headers['webhook-id']);
    await shot(page, 'webhooks', { fullPage: true });

    const endpoint = page.locator(`tr[data-endpoint="${receiver.url('/hooks')}"]`);
    await endpoint.getByRole('button', { name: 'Disable' }).click();
    await endpoint.locator('.badge', { hasText: 'disabled' }).waitFor();
    await endpoint.getByRole('button', { name: 'Enable' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('adds a connection with a write-only secret and tests it against a local server, as the CLI would', async () => {
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByText('No connections yet').waitFor();
    await page.getByRole('button', { name: 'New connection' }).click();
    const form = page.getByRole('form', { name: 'New connection' });
    await form.getByLabel('Name').fill('shop_api');
    await form.getByLabel('Base URL').fill(apiUrl);
    await form.getByLabel('Auth').selectOption('bearer');
    await form.getByLabel(/^Token/).fill('tok-123-secret');
    await form.getByRole('button', { name: 'Create connection' }).click();
    const card = page.locator('article[data-connection="shop_api"]');
    await card.getByText('stored (write-only)').waitFor();
    expect(await page.content()).not.toContain('tok-123-secret');
    await card.getByLabel('Path to GET (optional)').fill('/health');
    await card.getByRole('button', { name: 'Test' }).click();
    const answer = card.getByTestId('test-answer');
    await answer.waitFor();
    expect(await answer.textContent()).toContain('OK · HTTP 200');
    expect(apiCalls.at(-1)).toMatchObject({ url: '/v1/health', headers: { authorization: 'Bearer tok-123-secret' } });
    // A failure is an answer shown as such.
    await card.getByLabel('Path to GET (optional)').fill('/missing');
    await card.getByRole('button', { name: 'Test' }).click();
    await card.getByText(/Failed · HTTP 404/).waitFor();
    await shot(page, 'connections');

    await runCommand(t.ctx, {
      command: 'connection:create',
      tenant: twin.slug,
      name: 'shop_api',
      type: 'http',
      baseUrl: apiUrl,
      authType: 'bearer',
      secret: 'tok-123-secret',
    });
    const viaScreen = await (await adminApi('owner@settings.example'))('GET', '/connections');
    const viaCli = await (await adminApi('owner@twin.example'))('GET', '/connections');
    expect(comparable(viaScreen.body)).toEqual(comparable(viaCli.body));
    expect(errors).toEqual([]);
  });

  it("changes a user's role and sees it in the audit log; invites and removes a user", async () => {
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Role of editor@settings.example').selectOption('viewer');
    const entries = page.getByRole('table', { name: 'Audit entries' });
    await entries.getByText('admin_user.role').first().waitFor();
    const editor = await t.ctx.kysely
      .selectFrom('admin_users')
      .select(['id', 'role'])
      .where('email', '=', 'editor@settings.example')
      .executeTakeFirstOrThrow();
    expect(editor.role).toBe('viewer');
    expect(await entries.locator('tr', { hasText: 'admin_user.role' }).first().textContent()).toContain(editor.id);

    const invite = page.getByRole('form', { name: 'Invite user' });
    await invite.getByLabel('Email').fill('temp@settings.example');
    await invite.getByLabel('First password (12+ characters; hand it over)').fill('a long first password');
    await invite.getByRole('button', { name: 'Invite' }).click();
    const temp = page.locator('tr[data-user="temp@settings.example"]');
    await temp.getByRole('button', { name: 'Remove temp@settings.example' }).click();
    await temp.getByRole('button', { name: 'Confirm removal' }).click();
    await temp.waitFor({ state: 'detached' });
    await entries.getByText('admin_user.remove').first().waitFor();
    // The last owner stays: the service's rule shows next to the role.
    await page.getByLabel('Role of owner@settings.example').selectOption('editor');
    await page.locator('.field-error[data-path="role"]').first().waitFor();
    await shot(page, 'users-audit');
    expect(errors).toEqual([]);
  });

  it('shows usage per key and day, and token spend', async () => {
    // Counters are batched in memory: write them, as the meter's timer would.
    await t.ctx.meter.flush();
    const page = await loggedIn('owner@settings.example');
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'LLM token spend' }).waitFor();
    const table = page.getByRole('table', { name: 'Usage per key and day' });
    await table.getByText('Shop').waitFor();
    await shot(page, 'usage');
    expect(errors).toEqual([]);
  });

  it('shows a viewer the settings without any edit control, and no Users screen', async () => {
    // The role test above made the editor a viewer.
    const page = await loggedIn('editor@settings.example');
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Widget' }).click();
    await page.locator('tr[data-key-label="Shop"]').waitFor();
    for (const name of ['New key', 'Edit', 'Revoke', 'Publish widget settings', 'Add question', 'Save appearance']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    await page.getByRole('link', { name: 'Forms' }).click();
    await page.getByRole('link', { name: 'contact' }).click();
    await page.getByRole('figure', { name: 'Form preview' }).waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('table', { name: 'Endpoints' }).waitFor();
    expect(await page.getByRole('form', { name: 'New endpoint' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Redeliver' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.locator('article[data-connection="shop_api"]').waitFor();
    expect(await page.getByRole('button', { name: 'New connection' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Test' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
