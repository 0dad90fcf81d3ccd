import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContext, openConfiguredDb } from '../../src/app/createContext.js';
import { type Db, openPglite } from '../../src/db/openDatabase.js';
import { ORIGIN, seedTenant } from '../support/fixtures.js';
import { type Spawned, spawnComerix, waitForBanner } from '../support/spawnComerix.js';
import { backend, openTestDb, testConfig } from '../support/testApp.js';

// These tests start real processes (tsx compiles each at start): on a shared 2-core machine, with other test files
// running beside them, a start alone can take most of a minute. The default 60 s is a deadline for one in-process test.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const MASTER_KEY = 'a'.repeat(64);
const ROOT = join(import.meta.dirname, '..', '..');

// A task that holds its job until the test lets it go: an in-flight turn the shutdown must wait for.
const TASKS = `
import { existsSync, writeFileSync } from 'node:fs';

export async function hold(input) {
  writeFileSync(input.dir + '/started', '1');
  while (!existsSync(input.dir + '/release')) await new Promise((r) => setTimeout(r, 20));
  return { held: true };
}
`;

const holdFlow = (dir: string) => ({
  intent: { name: 'hold', description: 'hold', examples: [], required_entities: [] },
  start: 'work',
  nodes: [
    { id: 'work', type: 'task', task: 'hold', input: { dir }, saveAs: 'result' },
    { id: 'say', type: 'message', blocks: [{ type: 'text', text: 'Held and released.' }] },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'work', to: 'say' },
    { from: 'say', to: 'done' },
  ],
});

let dir: string;
let dataDir: string;
let pg: (Db & { url?: string }) | undefined;
let publicKey: string;
const running: Spawned[] = [];

/** The storage the spawned server will use, with a tenant whose `hold` flow is published. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'comerix-shutdown-'));
  dataDir = join(dir, 'data');
  writeFileSync(join(dir, 'tasks.mjs'), TASKS);
  if (backend === 'postgres') pg = await openTestDb();
  const config = testConfig({ COMERIX_DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url! } : {}) });
  const db = pg ?? (await openConfiguredDb(config));
  const ctx = await createContext(config, db, { migrate: backend === 'pglite' });
  const { key } = await seedTenant(ctx, { flows: [holdFlow(dir)], key: { allIntents: true } });
  publicKey = key.key;
  await ctx.events.close();
  if (!pg) await db.close();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(extra: Record<string, string>): Spawned {
  const p = spawnComerix(['start'], {
    COMERIX_DATA_DIR: dataDir,
    PORT: '0',
    COMERIX_MASTER_KEY: MASTER_KEY,
    COMERIX_TASKS_MODULE: join(dir, 'tasks.mjs'),
    COMERIX_DEMO: 'off',
    LOG_LEVEL: 'info',
    ...(pg ? { DATABASE_URL: pg.url! } : {}),
    ...extra,
  });
  running.push(p);
  return p;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited in vain for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether something accepts TCP connections on the URL's port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Opens a session and triggers `hold`: the turn answers waiting_time while its job runs in the server. */
async function holdTurn(url: string) {
  const json = { origin: ORIGIN, 'content-type': 'application/json' };
  const opened = await fetch(`${url}/api/public/v1/chat/sessions`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ publicKey, customerId: 'u-1' }),
  });
  expect(opened.status).toBe(201);
  const { sessionToken } = (await opened.json()) as { sessionToken: string };
  const auth = { origin: ORIGIN, authorization: `Bearer ${sessionToken}` };
  const turned = await fetch(`${url}/api/public/v1/chat/messages`, {
    method: 'POST',
    headers: { ...json, ...auth },
    body: JSON.stringify({ intentName: 'hold', text: 'go' }),
  });
  expect(turned.status).toBe(200);
  const turn = (await turned.json()) as { executionId: string; cursor: string; status: string };
  expect(turn.status).toBe('waiting_time');
  return { turn, auth };
}

async function executionStatus(id: string): Promise<string | undefined> {
  const db = pg ?? (await openPglite({ dataDir: join(dataDir, 'pglite') }));
  try {
    const row = await db.kysely.selectFrom('executions').select('status').where('id', '=', id).executeTakeFirst();
    return row?.status;
  } finally {
    if (!pg) await db.close();
  }
}

describe('SIGTERM', () => {
  it('answers the open long poll, stops accepting, lets the in-flight turn finish, and exits 0', async () => {
    for (const f of ['started', 'release']) rmSync(join(dir, f), { force: true });
    const p = start({ COMERIX_SHUTDOWN_SECONDS: '60' });
    const { url } = await waitForBanner(p);
    const { turn, auth } = await holdTurn(url);
    await until(() => existsSync(join(dir, 'started')), 'the job to start');

    const pollUrl = `/api/public/v1/chat/executions/${turn.executionId}?after=${turn.cursor}&waitSeconds=25`;
    const longPoll = fetch(`${url}${pollUrl}`, { headers: auth });
    // The server has the poll once it logs it; from then on the shutdown answers it, whenever it lands.
    await until(() => p.stdout().includes(pollUrl), 'the long poll to arrive');
    p.child.kill('SIGTERM');

    const polled = await longPoll;
    expect(polled.status).toBe(200);
    expect(polled.headers.get('connection')).toBe('close');
    const body = (await polled.json()) as { status: string; executionId: string };
    expect(body).toMatchObject({ executionId: turn.executionId, status: 'waiting_time' });
    // No longer accepting, but still running: the job holds the shutdown.
    await until(() => p.stdout().includes('"msg":"stopping"'), 'the stop to begin');
    expect(await listening(url)).toBe(false);
    expect(p.child.exitCode).toBeNull();

    writeFileSync(join(dir, 'release'), '1');
    expect(await p.exited).toBe(0);
    expect(await executionStatus(turn.executionId)).toBe('completed');
  });

  it('exits 1 at COMERIX_SHUTDOWN_SECONDS when a job does not finish, and frees the port', async () => {
    for (const f of ['started', 'release']) rmSync(join(dir, f), { force: true });
    const p = start({ COMERIX_SHUTDOWN_SECONDS: '1' });
    const { url } = await waitForBanner(p);
    await holdTurn(url);
    await until(() => existsSync(join(dir, 'started')), 'the job to start');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain('still stopping after 1 s');
    expect(await listening(url)).toBe(false);
    writeFileSync(join(dir, 'release'), '1');
  });
});

// Builds once and runs the real `npm start`; the embedded project only (the script is the same on either database).
describe.skipIf(backend !== 'pglite')('npm start', () => {
  it('stops the server when the npm process gets SIGTERM: nothing is left listening', async () => {
    const own = mkdtempSync(join(tmpdir(), 'comerix-npm-start-'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        COMERIX_DATA_DIR: join(own, 'data'),
        PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    npm.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      await until(() => /Stop with Ctrl\+C/.test(out), `the banner (output so far: ${out})`, 120_000);
      const url = /Comerix is running at (\S+)/.exec(out)![1]!;
      expect(await listening(url)).toBe(true);
      // The server is npm's own child (the script execs node), so npm's signal forwarding reaches it.
      const server = Number(
        execFileSync('pgrep', ['-P', String(npm.pid)])
          .toString()
          .trim()
          .split('\n')[0],
      );
      expect(readFileSync(`/proc/${server}/cmdline`, 'utf8')).toContain('dist/main.js');
      npm.kill('SIGTERM');
      await exited;
      await until(() => !existsSync(`/proc/${server}`) || isZombie(server), 'the server process to end');
      expect(await listening(url)).toBe(false);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(own, { recursive: true, force: true });
    }
  });
});

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe.skipIf(backend !== 'postgres')('comerix worker', () => {
  it('logs JSON lines like the API, serves its metrics port, and stops on SIGTERM with exit 0', async () => {
    const port = await freePort();
    const p = spawnComerix(['worker'], {
      DATABASE_URL: pg!.url!,
      COMERIX_MASTER_KEY: MASTER_KEY,
      LOG_LEVEL: 'info',
      COMERIX_METRICS_PORT: String(port),
    });
    running.push(p);
    await until(() => p.stderr().includes('"msg":"worker running"'), 'the worker to start');
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE comerix_job_pickup_seconds histogram');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const lines = p
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), pid: p.child.pid });
      expect(typeof line.msg).toBe('string');
    }
    expect(lines.map((l) => l.msg)).toEqual(['worker running', 'stopping', 'stopped']);
    expect(lines[0]).toMatchObject({ level: 30, concurrency: 4 });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
