import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../src/admin/adminUserService.js';
import { createConnection } from '../../src/connections/connectionService.js';
import { llmPerformer } from '../../src/llm/performLlm.js';
import { exampleFlow, seedTenant, Widget } from '../support/fixtures.js';
import { backend, createTestApp, type TestApp } from '../support/testApp.js';

// The Analytics Hub's screens in a real browser (Debian's Chromium), on PostgreSQL only like the rest of the panel's
// browser suites; the analytics and reports backends have their own suites on both databases.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (backend === 'postgres' && !haveChromium) {
  if (process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  process.stderr.write(`\n[comerix] ${CHROMIUM} not found: skipping the Analytics Hub's browser tests.\n\n`);
}
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'analytics-hub');
/** With COMERIX_DOCS_SCREENSHOTS=1 the screenshots also land in docs/images/analytics/ (the docs' images). */
const DOCS_IMAGES =
  process.env.COMERIX_DOCS_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images', 'analytics') : undefined;
const PASSWORD = 'correct horse battery';
const OWNER = 'hub-owner@example.com';
const ADMIN = '/api/admin/v1';

const LLM_KEY = 'sk-hub-stub';

/** An OpenAI-compatible stub (the only outside thing): one streamed answer with its usage, 12 + 3 tokens a call. */
function llmStub(): Server {
  return createHttpServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${LLM_KEY}`) {
      res.writeHead(401).end();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
      const chunk = (body: unknown) => res.write(`data: ${JSON.stringify(body)}\n\n`);
      chunk({ ...base, choices: [{ index: 0, delta: { content: 'Try the blue one.' }, finish_reason: null }] });
      chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      chunk({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } });
      res.end('data: [DONE]\n\n');
    });
  });
}

const adviceFlow = {
  intent: { name: 'advice', description: 'advice', examples: [], required_entities: [] },
  start: 'think',
  nodes: [{ id: 'think', type: 'llm', connection: 'ai', model: 'gpt-4o-mini', prompt: 'Suggest: {{ input.text }}' }],
  edges: [],
};

type Cell = string | number | null;
interface Result {
  columns: { name: string; kind: string }[];
  rows: Cell[][];
}

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

const utcDay = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** A cell as the panel's table writes it (ResultGrid): metric null "—", dimension null "(none)". */
function shown(kind: string, cell: Cell): string {
  if (cell === null) return kind === 'metric' ? '—' : '(none)';
  return String(cell);
}

describe.runIf(backend === 'postgres' && haveChromium)('Analytics Hub in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  let panelDir: string;
  let llm: Server;
  const errors: string[] = [];
  /** What the panel fetched for its first screen: the charting chunk must not be among it. */
  const firstScreenScripts: string[] = [];

  beforeAll(async () => {
    panelDir = mkdtempSync(join(tmpdir(), 'comerix-hub-'));
    await build({
      configFile: join(process.cwd(), 'web/admin/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: panelDir, emptyOutDir: true },
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    llm = llmStub();
    await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
    t = await createTestApp({
      env: { COMERIX_PUBLIC_URL: url, COMERIX_ADMIN_PANEL_DIR: panelDir },
      worker: true,
      llm: llmPerformer({ sleep: async () => {} }),
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status'), exampleFlow('returns'), adviceFlow],
      key: { allIntents: true },
    });
    await createConnection(t.ctx, {
      tenantId: tenant.id,
      name: 'ai',
      type: 'openai',
      baseUrl: `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`,
      authType: 'bearer',
      secret: LLM_KEY,
      defaultModel: 'gpt-4o-mini',
    });
    await createAdminUser(t.ctx, {
      tenantId: tenant.id,
      email: OWNER,
      role: 'owner',
      password: PASSWORD,
      actor: 'test',
    });
    // Conversations through the public API: four visitors, three order questions (two answered), one return.
    for (let i = 0; i < 4; i++) {
      const w = new Widget(t.app);
      expect((await w.open(key.key, { customerId: `hub-${i}` })).status).toBe(201);
      const turn = await w.trigger(i === 3 ? 'returns' : 'order_status');
      expect(turn.status).toBe(200);
      if (i < 2) expect((await w.resume(turn, { order_number: '12345' })).body.status).toBe('completed');
    }
    // Two LLM calls (the token spend view's numbers), each settled before the browser looks.
    for (let i = 0; i < 2; i++) {
      const w = new Widget(t.app);
      expect((await w.open(key.key, { customerId: `hub-llm-${i}` })).status).toBe(201);
      const turn = await w.trigger('advice', { text: 'a gift' });
      expect(turn.status).toBe(200);
      let cursor = String(turn.body.cursor);
      let status = String(turn.body.status);
      while (status === 'running' || status === 'waiting_time') {
        const poll = await w.get(
          `/api/public/v1/chat/executions/${turn.body.executionId}?after=${cursor}&waitSeconds=10`,
        );
        cursor = String(poll.body.cursor);
        status = String(poll.body.status);
      }
      expect(status).toBe('completed');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => llm?.close(resolve));
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

  async function loggedIn(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // A CSP violation or a script error fails the test: the panel must run under the strict policy.
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().includes('status of 4')) errors.push(msg.text());
    });
    const record = (request: { resourceType(): string; url(): string }) => {
      if (request.resourceType() === 'script') firstScreenScripts.push(request.url());
    };
    page.on('request', record);
    await page.goto(`${url}/admin`);
    await page.getByLabel('Email').fill(OWNER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    page.off('request', record);
    return page;
  }

  /** The admin API as another client calls it (its own login, cookie and CSRF token). */
  async function adminApi() {
    const login = await t.app.inject({
      method: 'POST',
      url: `${ADMIN}/auth/login`,
      payload: { email: OWNER, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = String((JSON.parse(login.body) as { csrfToken: string }).csrfToken);
    return async <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) => {
      const res = await t.app.inject({
        method,
        url: `${ADMIN}${path}`,
        headers: { cookie, 'x-csrf-token': csrf },
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as T };
    };
  }

  /** The rows of a result table in the page, cell by cell as text. */
  async function tableRows(page: Page, name: string): Promise<string[][]> {
    const table = page.getByRole('table', { name, exact: true });
    await table.waitFor({ state: 'attached' });
    const rows = table.locator('tbody tr');
    const out: string[][] = [];
    for (let i = 0; i < (await rows.count()); i++) out.push(await rows.nth(i).locator('td').allTextContents());
    return out;
  }

  /** A drawn chart (its plot area, not the legend's icons) inside `scope`. */
  function chartIn(scope: Page | Locator): Locator {
    return scope.locator('figure.chart .recharts-wrapper > svg.recharts-surface').first();
  }

  async function reportsIn(cards: Locator): Promise<(string | null)[]> {
    const names: (string | null)[] = [];
    for (let i = 0; i < (await cards.count()); i++) names.push(await cards.nth(i).getAttribute('data-report'));
    return names;
  }

  let reportId: string;

  it('builds a report, shows the 422 beside its field, runs it with the admin API’s numbers, saves it and pins it', async () => {
    const page = await loggedIn();
    // The first screen carries no chart code: the Analytics screens load it on demand.
    expect(firstScreenScripts.length).toBeGreaterThan(0);
    expect(firstScreenScripts.filter((s) => /ResultView|recharts/i.test(s))).toEqual([]);

    await page.getByRole('link', { name: 'Analytics', exact: true }).click();
    await page.getByText('No pinned reports yet.').waitFor();
    await page.getByRole('navigation', { name: 'Analytics' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByText('No saved reports yet.').waitFor();
    await page.getByRole('link', { name: 'New report' }).click();
    await page.getByRole('heading', { name: 'New report' }).waitFor();

    // A split the metric does not have: the service's message lands beside the dimensions.
    await page.getByRole('checkbox', { name: 'model', exact: true }).check();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dimensionsError = page.locator('.field-error[data-path="dimensions"]');
    await dimensionsError.waitFor();
    expect(await dimensionsError.textContent()).toContain('sessions cannot be split by model');
    await page.getByRole('checkbox', { name: 'model', exact: true }).uncheck();

    await page.getByLabel('Report name').fill('Daily chats');
    // Sessions cannot be split by intent (a session has no flow): the report counts the flows' work instead.
    await page.getByRole('checkbox', { name: 'sessions', exact: true }).uncheck();
    for (const metric of ['messages', 'executions', 'executions_completed', 'completion_rate']) {
      await page.getByRole('checkbox', { name: metric, exact: true }).check();
    }
    await page.getByRole('checkbox', { name: 'intent', exact: true }).check();
    await page.getByRole('radio', { name: 'Fixed days' }).check();
    await page.getByLabel('From day').fill(utcDay(-1));
    await page.getByLabel('To day (inclusive)').fill(utcDay(0));
    await page.getByLabel('Granularity').selectOption('day');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await chartIn(page).waitFor();
    expect(await dimensionsError.count()).toBe(0);
    await shot(page, 'report-builder', { fullPage: true });

    const definition = {
      metrics: ['messages', 'executions', 'executions_completed', 'completion_rate'],
      dimensions: ['intent'],
      range: { from: utcDay(-1), to: utcDay(0) },
      granularity: 'day',
    };
    const call = await adminApi();
    const answer = await call<Result>('POST', '/analytics/query', definition);
    expect(answer.status).toBe(200);
    // The fixture is in the answer: three order questions, two completed, one return.
    const at = (name: string) => answer.body.columns.findIndex((c) => c.name === name);
    const sum = (metric: string, intent: string) =>
      answer.body.rows.filter((r) => r[at('intent')] === intent).reduce((n, r) => n + Number(r[at(metric)]), 0);
    expect([sum('executions', 'order_status'), sum('executions_completed', 'order_status')]).toEqual([3, 2]);
    expect(sum('executions', 'returns')).toBe(1);

    await page.getByRole('radio', { name: 'Table' }).check();
    const headers = await page
      .getByRole('table', { name: 'Query result', exact: true })
      .locator('thead th')
      .allTextContents();
    expect(headers).toEqual(answer.body.columns.map((c) => c.name));
    expect(await tableRows(page, 'Query result')).toEqual(
      answer.body.rows.map((row) => row.map((cell, i) => shown(answer.body.columns[i]!.kind, cell))),
    );

    await page.getByRole('button', { name: 'Save report' }).click();
    await page.getByRole('heading', { name: 'Daily chats' }).waitFor();
    reportId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const saved = await call<{ definition: Record<string, unknown>; pinPosition: number | null }>(
      'GET',
      `/reports/${reportId}`,
    );
    expect(saved.body.definition).toMatchObject(definition);
    // A saved report opens with its answer.
    await chartIn(page).waitFor();

    await page.getByRole('button', { name: 'Pin to dashboard' }).click();
    await page.getByText('Pinned to the dashboard.').waitFor();
    expect((await call<{ pinPosition: number | null }>('GET', `/reports/${reportId}`)).body.pinPosition).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the pinned reports on the dashboard in pin order, reorders and unpins them', async () => {
    const call = await adminApi();
    const second = await call<{ id: string }>('POST', '/reports', {
      name: 'Weekly executions by status',
      definition: { metrics: ['executions'], dimensions: ['status'], range: { preset: 'last_30_days' } },
    });
    expect(second.status).toBe(201);
    expect((await call('POST', `/reports/${second.body.id}/pin`)).status).toBe(200);

    const page = await loggedIn();
    await page.goto(`${url}/admin/#/analytics`);
    const cards = page.getByRole('list', { name: 'Pinned reports' }).locator('> li');
    await expect.poll(() => cards.count()).toBe(2);
    await chartIn(page.locator('li[data-report="Weekly executions by status"]')).waitFor();
    await chartIn(page.locator('li[data-report="Daily chats"]')).waitFor();
    expect(await reportsIn(cards)).toEqual(['Daily chats', 'Weekly executions by status']);
    // The dashboard's table is the chart's text alternative and holds the query's numbers.
    const weekly = await call<Result>('POST', '/analytics/query', {
      metrics: ['executions'],
      dimensions: ['status'],
      range: { preset: 'last_30_days' },
    });
    expect(await tableRows(page, 'Weekly executions by status')).toEqual(
      weekly.body.rows.map((row) => row.map((cell, i) => shown(weekly.body.columns[i]!.kind, cell))),
    );
    await shot(page, 'dashboard', { fullPage: true });

    await page.getByRole('button', { name: 'Move Daily chats down' }).click();
    await expect.poll(() => reportsIn(cards)).toEqual(['Weekly executions by status', 'Daily chats']);
    const listed = await call<{ reports: { name: string; pinPosition: number | null }[] }>('GET', '/reports');
    expect(listed.body.reports.map((r) => [r.name, r.pinPosition])).toEqual([
      ['Weekly executions by status', 0],
      ['Daily chats', 1],
    ]);

    await page.getByRole('button', { name: 'Unpin Weekly executions by status' }).click();
    await expect.poll(() => cards.count()).toBe(1);
    expect((await call<{ pinPosition: number | null }>('GET', `/reports/${second.body.id}`)).body.pinPosition).toBe(
      null,
    );
    expect(errors).toEqual([]);
  });

  it('stores a run and downloads its CSV, which parses to the run’s result; adds a schedule', async () => {
    const page = await loggedIn();
    await page.goto(`${url}/admin/#/reports/${reportId}`);
    await page.getByRole('heading', { name: 'Daily chats' }).waitFor();
    await page.getByText('No stored runs yet.').waitFor();
    await page.getByRole('button', { name: 'Run and store now' }).click();
    const row = page.getByRole('table', { name: 'Stored runs' }).locator('tbody tr');
    await row.first().waitFor();
    const runId = (await row.first().getAttribute('data-run'))!;
    expect(await row.first().getAttribute('data-status')).toBe('completed');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.first().getByRole('link', { name: /^CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^Daily.chats-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const records = parse(csv) as string[][];
    const call = await adminApi();
    const run = await call<{ result: Result }>('GET', `/reports/${reportId}/runs/${runId}`);
    expect(records[0]).toEqual(run.body.result.columns.map((c) => c.name));
    expect(records.slice(1)).toEqual(
      run.body.result.rows.map((r) => r.map((cell) => (cell === null ? '' : String(cell)))),
    );
    expect(records.length).toBeGreaterThan(1);

    // An unreadable cron expression: the message beside the field; then a good one.
    await page.getByLabel('Cron expression').fill('every monday');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.locator('.field-error[data-path="cron"]').waitFor();
    await page.getByLabel('Cron expression').fill('0 9 * * MON');
    await page.getByLabel('Schedule time zone').fill('Europe/Paris');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved.').waitFor();
    await expect.poll(() => page.getByTestId('schedule-state').textContent()).toContain('0 9 * * MON');
    const scheduled = await call<{ schedule: { cron: string; timeZone: string; enabled: boolean } | null }>(
      'GET',
      `/reports/${reportId}`,
    );
    expect(scheduled.body.schedule).toMatchObject({ cron: '0 9 * * MON', timeZone: 'Europe/Paris', enabled: true });
    await shot(page, 'runs-and-schedule', { fullPage: true });

    await page.getByRole('checkbox', { name: 'Enabled' }).uncheck();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect
      .poll(
        async () =>
          (await call<{ schedule: { enabled: boolean } }>('GET', `/reports/${reportId}`)).body.schedule.enabled,
      )
      .toBe(false);
    expect(errors).toEqual([]);
  });

  it('shows token spend per day, model and flow with the query’s numbers, and renames then deletes a report', async () => {
    const page = await loggedIn();
    await page.goto(`${url}/admin/#/tokens`);
    await page.getByRole('heading', { name: 'Token spend' }).waitFor();
    await chartIn(page).waitFor();
    const call = await adminApi();
    const perDay = await call<Result>('POST', '/analytics/query', {
      metrics: ['llm_calls', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros'],
      dimensions: [],
      range: { preset: 'last_30_days' },
      granularity: 'day',
    });
    const money = (name: string, cell: Cell) =>
      name === 'cost_micros' && typeof cell === 'number' ? `$${(cell / 1e6).toFixed(4)}` : shown('metric', cell);
    expect(await tableRows(page, 'Token spend per day')).toEqual(
      perDay.body.rows.map((row) =>
        row.map((cell, i) => {
          const column = perDay.body.columns[i]!;
          return column.kind === 'metric' ? money(column.name, cell) : shown(column.kind, cell);
        }),
      ),
    );
    await shot(page, 'token-spend');
    await page.getByRole('combobox', { name: /^Group by/ }).selectOption('model');
    expect(
      perDay.body.rows.reduce((n, r) => n + Number(r[perDay.body.columns.findIndex((c) => c.name === 'llm_calls')]), 0),
    ).toBe(2);
    const perModel = await call<Result>('POST', '/analytics/query', {
      metrics: ['llm_calls', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros'],
      dimensions: ['model'],
      range: { preset: 'last_30_days' },
    });
    expect(perModel.body.rows.map((r) => r.slice(0, 5))).toEqual([['gpt-4o-mini', 2, 24, 6, 30]]);
    await page.getByRole('radio', { name: 'Table' }).check();
    expect(await tableRows(page, 'Token spend per model')).toEqual(
      perModel.body.rows.map((row) =>
        row.map((cell, i) => {
          const column = perModel.body.columns[i]!;
          return column.kind === 'metric' ? money(column.name, cell) : shown(column.kind, cell);
        }),
      ),
    );

    // Rename, then delete (two steps) the report built above.
    await page.goto(`${url}/admin/#/reports/${reportId}`);
    await page.getByRole('heading', { name: 'Daily chats' }).waitFor();
    await page.getByLabel('Report name').fill('Daily chats (renamed)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved \(version 2\)/).waitFor();
    await page.getByRole('heading', { name: 'Daily chats (renamed)' }).waitFor();
    await page.getByRole('button', { name: 'Delete report' }).click();
    await page.getByRole('button', { name: /^Delete “Daily chats \(renamed\)”/ }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect((await call('GET', `/reports/${reportId}`)).status).toBe(404);
    expect(errors).toEqual([]);
  });
});
