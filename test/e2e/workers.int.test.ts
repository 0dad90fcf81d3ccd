import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/openDatabase.js';
import { runComerix, type Spawned, spawnComerix, waitForBanner } from '../support/spawnComerix.js';
import { backend, openTestDb } from '../support/testApp.js';

// These tests start real processes (tsx compiles each at start): on a shared 2-core machine, with other test files
// running beside them, a start alone can take most of a minute. The default 60 s is a deadline for one in-process test.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const ORIGIN = 'https://shop.example';
let dir: string;
let db: (Db & { url?: string }) | undefined;
const running: Spawned[] = [];

// A task with a side effect that dedupes on its idempotency key, and a log of every attempt.
const TASKS = `
import { appendFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.env.TEST_TASK_DIR;
export async function charge(input, ctx) {
  appendFileSync(join(dir, 'attempts.log'), ctx.idempotencyKey + '\\n');
  mkdirSync(join(dir, 'effects'), { recursive: true });
  try { writeFileSync(join(dir, 'effects', ctx.idempotencyKey.replaceAll(':', '_')), 'charged', { flag: 'wx' }); }
  catch (e) { if (e.code !== 'EEXIST') throw e; }
  await new Promise((r) => setTimeout(r, Number(input?.ms ?? 0)));
  appendFileSync(join(dir, 'finished.log'), Date.now() + '\\n');
  return { charged: true };
}
`;

const chargeFlow = (ms: number) => ({
  intent: { name: 'charge', description: 'Charge', examples: [], required_entities: [] },
  start: 'pay',
  nodes: [
    { id: 'pay', type: 'task', task: 'charge', input: { ms }, saveAs: 'payment' },
    { id: 'ok', type: 'message', blocks: [{ type: 'text', text: 'Charged: {{ vars.payment.charged }}' }] },
  ],
  edges: [{ from: 'pay', to: 'ok' }],
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    COMERIX_DATA_DIR: join(dir, 'data'),
    PORT: '0',
    COMERIX_TASKS_MODULE: join(dir, 'tasks.mjs'),
    TEST_TASK_DIR: dir,
    COMERIX_JOB_LEASE_SECONDS: '2',
    ...(backend === 'postgres' ? { DATABASE_URL: db!.url!, COMERIX_MASTER_KEY: 'c'.repeat(64) } : {}),
    ...extra,
  };
}

async function cli(args: string[]): Promise<string> {
  const res = await runComerix(args, env());
  if (res.code !== 0) throw new Error(`comerix ${args.join(' ')} → ${res.code}: ${res.stderr}`);
  return res.stdout.trim();
}

async function api(url: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      origin: ORIGIN,
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Seeds the demo tenant, the charge flow and a key for it; returns the key. */
async function seed(taskMs: number): Promise<string> {
  writeFileSync(join(dir, 'tasks.mjs'), TASKS);
  writeFileSync(join(dir, 'charge.json'), JSON.stringify(chargeFlow(taskMs)));
  await cli(['demo:seed']);
  await cli(['flow:import', '--tenant=demo', `--file=${join(dir, 'charge.json')}`, '--publish']);
  return cli(['widget-key:create', '--tenant=demo', '--label=Workers', `--origin=${ORIGIN}`, '--intent=charge']);
}

function lines(file: string): string[] {
  try {
    return readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawn(args: string[], extra: Record<string, string> = {}) {
  const p = spawnComerix(args, env(extra));
  running.push(p);
  return p;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'comerix-workers-'));
  mkdirSync(join(dir, 'data'), { mode: 0o700 }); // a data dir open to others is refused
  if (backend === 'postgres') db = await openTestDb();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash recovery', () => {
  it('re-runs a task whose worker was killed -9; the side effect happens once per idempotency key', async () => {
    const key = await seed(4000);
    // PostgreSQL: a separate worker process; PGlite: the embedded server is the worker.
    const server = spawn(['serve']);
    const { url } = await waitForBanner(server);
    let worker: Spawned = backend === 'postgres' ? spawn(['worker']) : server;

    const session = await api(url, '/api/public/v1/chat/sessions', { body: { publicKey: key, customerId: 'c-1' } });
    const token = String(session.body.sessionToken);
    const turn = await api(url, '/api/public/v1/chat/messages', { token, body: { intentName: 'charge' } });
    expect(turn.body.status).toBe('waiting_time');

    await until(() => lines('attempts.log').length === 1, 30_000, 'the first attempt');
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(lines('finished.log')).toEqual([]);

    let apiUrl = url;
    if (backend === 'postgres') worker = spawn(['worker']);
    else apiUrl = (await waitForBanner(spawn(['serve']))).url;

    let status = 'waiting_time';
    let blocks: { text?: string }[] = [];
    let cursor = String(turn.body.cursor);
    const deadline = Date.now() + 60_000;
    while (status === 'waiting_time' && Date.now() < deadline) {
      const poll = await api(
        apiUrl,
        `/api/public/v1/chat/executions/${turn.body.executionId}?after=${cursor}&waitSeconds=5`,
        { token },
      );
      status = String(poll.body.status);
      cursor = String(poll.body.cursor);
      blocks = [...blocks, ...(poll.body.blocks as { text?: string }[])];
    }
    expect(status).toBe('completed');
    expect(blocks.map((b) => b.text)).toEqual(['Charged: true']);
    const attempts = lines('attempts.log');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts).size).toBe(1);
    expect(readdirSync(join(dir, 'effects'))).toHaveLength(1);
  });
});

describe.runIf(backend === 'postgres')('scale-out on PostgreSQL', () => {
  it('wakes a long poll on API process B when the job finishes on the worker, before waitSeconds', async () => {
    rmSync(join(dir, 'attempts.log'), { force: true });
    rmSync(join(dir, 'finished.log'), { force: true });
    const key = await cli([
      'widget-key:create',
      '--tenant=demo',
      '--label=Scale',
      `--origin=${ORIGIN}`,
      '--intent=charge',
    ]);
    const a = await waitForBanner(spawn(['serve']));
    const b = await waitForBanner(spawn(['serve']));
    spawn(['worker']);
    const session = await api(a.url, '/api/public/v1/chat/sessions', { body: { publicKey: key, customerId: 'c-2' } });
    const token = String(session.body.sessionToken);
    const turn = await api(a.url, '/api/public/v1/chat/messages', { token, body: { intentName: 'charge' } });
    expect(turn.body.status).toBe('waiting_time');
    const waitSeconds = 25;
    const started = Date.now();
    const poll = await api(
      b.url,
      `/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}&waitSeconds=${waitSeconds}`,
      { token },
    );
    const returnedAt = Date.now();
    expect(poll.body.status).toBe('completed');
    const finishedAt = Number(lines('finished.log').at(-1));
    // Ordering: the poll came back after the task finished on the worker, and long before its own deadline.
    expect(returnedAt).toBeGreaterThanOrEqual(finishedAt);
    expect(returnedAt - started).toBeLessThan(waitSeconds * 1000 - 5000);
  });
});
