import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/openDatabase.js';
import { runComerix, type Spawned, spawnComerix, waitForBanner } from '../support/spawnComerix.js';
import { backend, openTestDb } from '../support/testApp.js';

// These tests start real processes (tsx compiles each at start): on a shared 2-core machine, with other test files
// running beside them, a start alone can take most of a minute. The default 60 s is a deadline for one in-process test.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const exec = promisify(execFile);
const ORIGIN = 'http://localhost:3000';

// Each test gets its own storage: a data dir (PGlite) or a cloned database (PostgreSQL).
let dataDir: string;
let db: (Db & { url?: string }) | undefined;
const running: Spawned[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    COMERIX_DATA_DIR: dataDir,
    PORT: '0',
    ...(backend === 'postgres' ? { DATABASE_URL: db!.url!, COMERIX_MASTER_KEY: 'b'.repeat(64) } : {}),
    ...extra,
  };
}

async function start(command: 'start' | 'serve' = 'start', extra: Record<string, string> = {}) {
  const p = spawnComerix([command], env(extra));
  running.push(p);
  return { p, ...(await waitForBanner(p)) };
}

async function curlJson(args: string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const { stdout } = await exec('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n') || '{}') };
}

beforeAll(async () => {
  if (backend === 'postgres') db = await openTestDb();
});
afterAll(async () => {
  await db?.close();
});

function freshStorage() {
  dataDir = mkdtempSync(join(tmpdir(), 'comerix-e2e-'));
}

async function stopAll() {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}

describe('npm start', () => {
  it('serves the quick start with curl: steps 2–5 reach completed', async () => {
    freshStorage();
    try {
      const { url, key } = await start();
      expect(key).toMatch(/^pk_live_[0-9a-f]{32}$/);
      const session = await curlJson([
        '-X',
        'POST',
        `${url}/api/public/v1/chat/sessions`,
        '-H',
        `Origin: ${ORIGIN}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ publicKey: key, customerId: 'u-42' }),
      ]);
      expect(session.status).toBe(201);
      expect(String(session.body.sessionToken)).toMatch(/^eyJ0aWQi/);
      const auth = [
        '-H',
        `Authorization: Bearer ${session.body.sessionToken}`,
        '-H',
        `Origin: ${ORIGIN}`,
        '-H',
        'Content-Type: application/json',
      ];
      const turn = await curlJson([
        '-X',
        'POST',
        `${url}/api/public/v1/chat/messages`,
        ...auth,
        '-d',
        '{"text":"check my order", "intentName":"order_status"}',
      ]);
      expect(turn.body).toMatchObject({ status: 'waiting_input', blocks: [{ type: 'text' }, { type: 'form' }] });
      expect(turn.body.waitToken).toMatch(/^wt_/);
      const done = await curlJson([
        '-X',
        'POST',
        `${url}/api/public/v1/chat/messages`,
        ...auth,
        '-d',
        JSON.stringify({
          waitToken: turn.body.waitToken,
          executionId: turn.body.executionId,
          values: { order_number: '12345' },
        }),
      ]);
      expect(done.body).toMatchObject({
        status: 'completed',
        blocks: [{ type: 'markdown', text: 'Order **12345** has shipped.' }],
      });
    } finally {
      await stopAll();
    }
  });

  it('does not seed twice on restart, and `serve` never seeds', async () => {
    freshStorage();
    try {
      const first = await start();
      first.p.child.kill('SIGTERM');
      await first.p.exited;
      const second = await start();
      expect(second.key).toBe(first.key);
      second.p.child.kill('SIGTERM');
      await second.p.exited;
      const list = await runComerix(['widget-key:list', '--tenant=demo'], env());
      expect(list.code).toBe(0);
      expect(list.stdout.trim().split('\n')).toHaveLength(2); // header + the one demo key
    } finally {
      await stopAll();
    }
  });

  it('widget-key:create: usage errors exit 2 and create nothing; while the server runs it works at once', async () => {
    freshStorage();
    try {
      const { url } = await start();
      const base = ['widget-key:create', '--tenant=demo', '--label=Shop'];
      const usage: [string[], RegExp][] = [
        [
          [...base, '--origin=https://shop.example', '--intent=order_status', '--all-intents'],
          /exactly one|mutually exclusive/,
        ],
        [[...base, '--origin=https://shop.example'], /exactly one/],
        [[...base, '--intent=order_status'], /--origin/],
        [[...base, '--origin=not a url', '--intent=order_status'], /not a valid origin/],
        [[...base, '--origin=https://shop.example', '--intent=no_such_intent'], /no flow for intent/],
      ];
      for (const [args, message] of usage) {
        const res = await runComerix(args, env());
        expect(res.code, args.join(' ')).toBe(2);
        expect(res.stdout).toBe('');
        expect(res.stderr).toMatch(message);
        expect(res.stderr.trim().split('\n')).toHaveLength(1);
      }
      const list = await runComerix(['widget-key:list', '--tenant=demo'], env());
      expect(list.stdout.trim().split('\n')).toHaveLength(2);

      const created = await runComerix(
        [
          'comerix:widget-key:create',
          '--tenant=demo',
          '--label=Shop',
          '--origin=https://shop.example',
          '--intent=returns',
        ],
        env(),
      );
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^pk_live_[0-9a-f]{32}\n$/);
      const session = await curlJson([
        '-X',
        'POST',
        `${url}/api/public/v1/chat/sessions`,
        '-H',
        'Origin: https://shop.example',
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ publicKey: created.stdout.trim(), customerId: 'c-1' }),
      ]);
      expect(session.status).toBe(201);
      expect((session.body.intents as { name: string }[]).map((i) => i.name)).toEqual(['returns']);
    } finally {
      await stopAll();
    }
  });

  it('comes back after kill -9 with every answered turn', async () => {
    freshStorage();
    try {
      const first = await start();
      const opened = await curlJson([
        '-X',
        'POST',
        `${first.url}/api/public/v1/chat/sessions`,
        '-H',
        `Origin: ${ORIGIN}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ publicKey: first.key, customerId: 'u-9' }),
      ]);
      const auth = (url: string) => [
        '-H',
        `Authorization: Bearer ${opened.body.sessionToken}`,
        '-H',
        `Origin: ${ORIGIN}`,
        '-H',
        'Content-Type: application/json',
        `${url}`,
      ];
      const answered: string[] = [];
      const t1 = await curlJson([
        '-X',
        'POST',
        ...auth(`${first.url}/api/public/v1/chat/messages`),
        '-d',
        '{"intentName":"order_status","text":"first"}',
      ]);
      expect(t1.status).toBe(200);
      answered.push(String(t1.body.executionId));
      const t2 = await curlJson([
        '-X',
        'POST',
        ...auth(`${first.url}/api/public/v1/chat/messages`),
        '-d',
        JSON.stringify({
          waitToken: t1.body.waitToken,
          executionId: t1.body.executionId,
          values: { order_number: '12345' },
        }),
      ]);
      expect(t2.body.status).toBe('completed');
      const t3 = await curlJson([
        '-X',
        'POST',
        ...auth(`${first.url}/api/public/v1/chat/messages`),
        '-d',
        '{"intentName":"returns","text":"second"}',
      ]);
      expect(t3.body.status).toBe('waiting_input');

      first.p.child.kill('SIGKILL');
      await first.p.exited;
      if (backend === 'pglite') expect(existsSync(join(dataDir, 'comerix.lock'))).toBe(true);

      const second = await start();
      const history = await curlJson(['-X', 'GET', ...auth(`${second.url}/api/public/v1/chat/history?limit=200`)]);
      expect(history.status).toBe(200);
      const items = history.body.items as {
        role: string;
        text?: string;
        values?: unknown;
        block?: { type: string; text?: string };
      }[];
      expect(items.filter((i) => i.role === 'user').map((i) => i.text ?? i.values)).toEqual([
        'first',
        { order_number: '12345' },
        'second',
      ]);
      expect(items.some((i) => i.block?.text === 'Order **12345** has shipped.')).toBe(true);
      expect(history.body.pending).toMatchObject({
        executionId: t3.body.executionId,
        status: 'waiting_input',
        waitToken: t3.body.waitToken,
      });
      const resumed = await curlJson([
        '-X',
        'POST',
        ...auth(`${second.url}/api/public/v1/chat/messages`),
        '-d',
        JSON.stringify({
          waitToken: t3.body.waitToken,
          executionId: t3.body.executionId,
          values: { reason: 'damaged' },
        }),
      ]);
      expect(resumed.body.status).toBe('waiting_input');
    } finally {
      await stopAll();
    }
  });
});

describe.runIf(backend === 'pglite')('the embedded data directory', () => {
  it('refuses a second server on the same directory with a clear message', async () => {
    freshStorage();
    try {
      await start();
      const second = await runComerix(['serve'], env());
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already using the data directory/);
    } finally {
      await stopAll();
    }
  });

  it('takes over a stale lock left by a dead process', async () => {
    freshStorage();
    try {
      writeFileSync(join(dataDir, 'comerix.lock'), '999999\n', { mode: 0o600 });
      const { key } = await start();
      expect(key).toMatch(/^pk_live_/);
    } finally {
      await stopAll();
    }
  });

  it('creates a fresh directory, and everything start writes in it, closed to group and others', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'comerix-e2e-'));
    dataDir = join(parent, 'data');
    try {
      await start();
      // A command carried out by the running server: the control socket exists and has been used.
      const list = await runComerix(['widget-key:list'], env());
      expect(list.code).toBe(0);
      const open: string[] = [];
      const walk = (path: string) => {
        const stats = lstatSync(path);
        if (stats.isSymbolicLink()) return;
        if ((stats.mode & 0o077) !== 0) open.push(`${(stats.mode & 0o777).toString(8)} ${path}`);
        if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
      };
      walk(dataDir);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
      expect(readdirSync(join(dataDir, 'pglite')).length).toBeGreaterThan(5);
      expect(open).toEqual([]);
    } finally {
      await stopAll();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses to start on a directory open to group or others, naming it and the fix', async () => {
    freshStorage();
    try {
      chmodSync(dataDir, 0o755);
      const res = await runComerix(['start'], env());
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`Refusing to use the data directory ${dataDir}`);
      expect(res.stderr).toContain(`chmod -R go-rwx ${dataDir}`);
      expect(readdirSync(dataDir)).toEqual([]); // no lock, no key, no database written
      chmodSync(dataDir, 0o700);
      writeFileSync(join(dataDir, 'master.key'), `${'c'.repeat(64)}\n`, { mode: 0o644 });
      const file = await runComerix(['migrate'], env());
      expect(file.code).toBe(1);
      expect(file.stderr).toContain(join(dataDir, 'master.key'));
    } finally {
      await stopAll();
    }
  }, 180_000);
});

describe('configuration', () => {
  it('stops at start-up with a message naming the bad variable', async () => {
    freshStorage();
    try {
      const res = await runComerix(['serve'], env({ PORT: 'eighty' }));
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/PORT/);
      const lvl = await runComerix(['serve'], env({ LOG_LEVEL: 'loud' }));
      expect(lvl.stderr).toMatch(/LOG_LEVEL/);
    } finally {
      await stopAll();
    }
  });
});
