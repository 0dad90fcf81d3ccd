import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../src/admin/adminUserService.js';
import { runCommand } from '../../src/cli/runCommand.js';
import { createTenant } from '../../src/tenants/tenantStore.js';
import { exampleFlow } from '../support/fixtures.js';
import { backend, createTestApp, type TestApp } from '../support/testApp.js';

// The admin panel in a real browser (Debian's Chromium), on PostgreSQL only: the admin API's own suite covers both
// databases. Without Chromium the suite is skipped with a message, except on CI, where that is a failure.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (backend === 'postgres' && !haveChromium) {
  if (process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  process.stderr.write(`\n[comerix] ${CHROMIUM} not found: skipping the admin panel's browser tests.\n\n`);
}
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin-panel');
const PASSWORD = 'correct horse battery';

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

describe.runIf(backend === 'postgres' && haveChromium)('admin panel in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  let panelDir: string;
  let tenant: { id: string; slug: string };

  beforeAll(async () => {
    panelDir = mkdtempSync(join(tmpdir(), 'comerix-panel-'));
    await build({
      configFile: join(process.cwd(), 'web/admin/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: panelDir, emptyOutDir: true },
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { COMERIX_PUBLIC_URL: url, COMERIX_ADMIN_PANEL_DIR: panelDir } });
    await t.app.listen({ port, host: '127.0.0.1' });
    tenant = await createTenant(t.ctx, { name: 'Panel', slug: `panel-${port}` });
    for (const [email, role] of [
      ['owner@example.com', 'owner'],
      ['viewer@example.com', 'viewer'],
    ] as const) {
      await createAdminUser(t.ctx, { tenantId: tenant.id, email, role, password: PASSWORD, actor: 'test' });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (panelDir) rmSync(panelDir, { recursive: true, force: true });
  });

  async function loggedIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const errors: string[] = [];
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
    expect(errors).toEqual([]);
    return page;
  }

  let flowId: string;

  it('builds a two-node flow on the canvas, shows a validation error on its node, publishes it and chats with it', async () => {
    const page = await loggedIn('owner@example.com');
    await page.screenshot({ path: join(ARTIFACTS, '1-flows.png') });
    await page.getByLabel('New flow: intent name').fill('greeting');
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.locator('.flow-node[data-node-id="done"]').waitFor();
    flowId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);

    await page.getByLabel('New node type').selectOption('message');
    await page.getByLabel('New node id').fill('hello');
    await page.getByRole('button', { name: 'Add node' }).click();
    const hello = page.locator('.flow-node[data-node-id="hello"]');
    await hello.waitFor();
    await page.getByLabel('Blocks (JSON)').fill('[{"type":"text","text":"Plan: {{ $uppercase( }}"}]');
    await page.getByRole('button', { name: 'Make start node' }).click();
    await page.getByLabel('Then', { exact: true }).selectOption('done');
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => hello.getAttribute('aria-invalid')).toBe('true');
    expect(await hello.locator('.flow-node-problems').textContent()).not.toBe('');
    await page.screenshot({ path: join(ARTIFACTS, '2-editor-invalid.png') });

    await page.getByLabel('Blocks (JSON)').fill('[{"type":"text","text":"Plan: {{ conversation.variables.plan }}"}]');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The flow is valid.').waitFor();
    await expect.poll(() => hello.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published version 1.').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '3-editor-published.png') });

    await page.getByRole('tab', { name: 'Test chat' }).click();
    await page.getByLabel('Conversation variables (JSON, untrusted)').fill('{"plan":"gold"}');
    await page.getByRole('button', { name: 'Start test' }).click();
    await page.getByText('Plan: gold').waitFor();
    await page.locator('[data-status="completed"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '4-test-chat.png') });

    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Diff with draft' }).click();
    await page.getByRole('heading', { name: 'v1 → draft' }).waitFor();

    await page.goto(`${url}/admin/#/history`);
    await page.getByLabel('Include test chats').check();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('table.list a').first().click();
    await page.getByRole('heading', { name: /Conversation with/ }).waitFor();
    expect(await page.getByTestId('conversation-variables').textContent()).toContain('gold');
    expect(await page.locator('table.trace tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, '5-conversation.png'), fullPage: true });
  });

  it('publishes from the canvas exactly what the CLI publishes from the same JSON (layout aside)', async () => {
    const published = await t.ctx.kysely
      .selectFrom('flows')
      .innerJoin('flow_versions', 'flow_versions.id', 'flows.published_version_id')
      .select('flow_versions.definition')
      .where('flows.id', '=', flowId)
      .executeTakeFirstOrThrow();
    const { layout, ...fromCanvas } = published.definition as Record<string, unknown>;
    expect(layout).toBeDefined();
    const other = await createTenant(t.ctx, { name: 'Cli', slug: `cli-${Date.now()}` });
    await runCommand(t.ctx, { command: 'flow:import', tenant: other.slug, definition: fromCanvas, publish: true });
    const viaCli = await t.ctx.kysely
      .selectFrom('flows')
      .innerJoin('flow_versions', 'flow_versions.id', 'flows.published_version_id')
      .select('flow_versions.definition')
      .where('flows.tenant_id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(viaCli.definition).toEqual(fromCanvas);
    expect(fromCanvas).toMatchObject({
      start: 'hello',
      nodes: [
        { id: 'done', type: 'end' },
        { id: 'hello', type: 'message' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
  });

  it('draws a flow imported without a layout on the canvas, every node apart, and answers its form in the test pane', async () => {
    const flow = exampleFlow('order_status') as { nodes: { id: string }[] };
    await runCommand(t.ctx, { command: 'flow:import', tenant: tenant.slug, definition: flow, publish: true });
    const page = await loggedIn('owner@example.com');
    await page.getByRole('link', { name: 'order_status' }).click();
    const drawn = page.locator('.react-flow__node');
    await expect.poll(() => drawn.count()).toBe(flow.nodes.length);
    const boxes = [];
    for (const node of await drawn.all()) boxes.push((await node.boundingBox())!);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, '7-imported-flow.png') });

    // Its form, answered in the test pane, resumes the draft through the public API.
    await page.getByRole('tab', { name: 'Test chat' }).click();
    await page.getByRole('button', { name: 'Start test' }).click();
    await page.getByLabel('Order number').fill('12345');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Order **12345** has shipped.').waitFor();
    await page.locator('[data-status="completed"]').waitFor();
  });

  it('shows a viewer no edit controls, and the API refuses the viewer an edit', async () => {
    const page = await loggedIn('viewer@example.com');
    expect(await page.getByLabel('New flow: intent name').count()).toBe(0);
    await page.goto(`${url}/admin/#/flows/${flowId}`);
    await page.getByText('read only (viewer)').waitFor();
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
    await page.locator('.flow-node[data-node-id="hello"]').click();
    expect(await page.getByLabel('Blocks (JSON)').getAttribute('readonly')).not.toBeNull();
    const status = await page.evaluate(async (id) => {
      const me = (await (await fetch('/api/admin/v1/me')).json()) as { csrfToken: string };
      const res = await fetch(`/api/admin/v1/flows/${id}/publish`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': me.csrfToken },
      });
      return res.status;
    }, flowId);
    expect(status).toBe(403);
    await page.screenshot({ path: join(ARTIFACTS, '6-viewer.png') });
  });
});
