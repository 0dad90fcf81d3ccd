import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContext } from '../../src/app/createContext.js';
import type { Db } from '../../src/db/openDatabase.js';
import { BalancedClient } from '../support/BalancedClient.js';
import { exampleFlow, ORIGIN, seedTenant } from '../support/fixtures.js';
import { type Spawned, spawnComerix, waitForBanner } from '../support/spawnComerix.js';
import { backend, openTestDb, testConfig } from '../support/testApp.js';

// These tests start real processes (tsx compiles each at start): on a shared 2-core machine, with other test files
// running beside them, a start alone can take most of a minute. The default 60 s is a deadline for one in-process test.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const MASTER_KEY = 'b'.repeat(64);
let db: (Db & { url?: string }) | undefined;
let publicKey: string;
let tenantId: string;
const running: Spawned[] = [];

const intent = (name: string) => ({ name, description: name, examples: [], required_entities: [] });
/** Async work for the worker: the turn answers waiting_time, a job continues it a second later. */
const slowFlow = {
  intent: intent('slow'),
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'One moment…' }] },
    { id: 'pause', type: 'delay', seconds: 1 },
    { id: 'bye', type: 'message', blocks: [{ type: 'text', text: 'Done waiting.' }] },
  ],
  edges: [
    { from: 'hello', to: 'pause' },
    { from: 'pause', to: 'bye' },
  ],
};

const env = () => ({
  DATABASE_URL: db!.url!,
  COMERIX_MASTER_KEY: MASTER_KEY,
  PORT: '0',
  // A job whose worker died is taken up again after this lease.
  COMERIX_JOB_LEASE_SECONDS: '2',
});

beforeAll(async () => {
  if (backend !== 'postgres') return;
  db = await openTestDb();
  const ctx = await createContext(testConfig({ DATABASE_URL: db.url! }), db);
  const seeded = await seedTenant(ctx, { flows: [exampleFlow('order_status'), slowFlow], key: { allIntents: true } });
  publicKey = seeded.key.key;
  tenantId = seeded.tenant.id;
  await ctx.events.close();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await db?.close();
});

async function api(): Promise<{ p: Spawned; url: string }> {
  const p = spawnComerix(['serve'], env());
  running.push(p);
  return { p, url: (await waitForBanner(p)).url };
}

function worker(): Spawned {
  const p = spawnComerix(['worker'], env());
  running.push(p);
  return p;
}

interface Ack {
  executionId: string;
  status: string;
}

describe.skipIf(backend !== 'postgres')('kill -9 under load on PostgreSQL', () => {
  it('keeps every acknowledged turn and leaves no execution hanging after the API and the worker die at once', async () => {
    const first = await api();
    const firstWorker = worker();
    const targets = [first.url];
    // Patient: while both processes are down, requests are retried on connection errors only, for up to a minute.
    const http = new BalancedClient(targets, { attempts: 1200, pauseMs: 50 });
    const acks: Ack[] = [];
    const refused: string[] = [];
    const json = { origin: ORIGIN, 'content-type': 'application/json' };
    /**
     * One request, retried with its own Idempotency-Key as a client should: on connection errors (BalancedClient), and
     * on 409 idempotency_in_progress, which is what a key whose first request died with its process answers until
     * that record is stale and a retry takes it over.
     */
    const post = async (path: string, headers: Record<string, string>, body: unknown) => {
      const init = {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      };
      for (let attempt = 0; ; attempt++) {
        const res = await http.call(path, init);
        const code = (res.body.error as { code?: string } | undefined)?.code;
        if (code !== 'idempotency_in_progress' || attempt >= 120) return res;
        await new Promise((r) => setTimeout(r, 1000));
      }
    };

    const open = async () => {
      const opened = await post('/api/public/v1/chat/sessions', json, { publicKey, customerId: `c-${randomUUID()}` });
      if (opened.status !== 201) refused.push(`open ${opened.status}`);
      return opened.status === 201 ? { ...json, authorization: `Bearer ${opened.body.sessionToken}` } : undefined;
    };
    /** A slow conversation (left to the worker) and an order lookup (asked, then answered). */
    async function converse(): Promise<void> {
      const waiting = await open();
      if (!waiting) return;
      const slow = await post('/api/public/v1/chat/messages', waiting, { intentName: 'slow' });
      if (slow.status !== 200) return void refused.push(`slow ${slow.status} ${JSON.stringify(slow.body)}`);
      acks.push({ executionId: String(slow.body.executionId), status: String(slow.body.status) });
      const auth = await open();
      if (!auth) return;
      const ask = await post('/api/public/v1/chat/messages', auth, { intentName: 'order_status' });
      if (ask.status !== 200) return void refused.push(`trigger ${ask.status} ${JSON.stringify(ask.body)}`);
      acks.push({ executionId: String(ask.body.executionId), status: String(ask.body.status) });
      const done = await post('/api/public/v1/chat/messages', auth, {
        executionId: ask.body.executionId,
        waitToken: ask.body.waitToken,
        values: { order_number: '12345' },
      });
      if (done.status !== 200) return void refused.push(`resume ${done.status} ${JSON.stringify(done.body)}`);
      acks.push({ executionId: String(done.body.executionId), status: String(done.body.status) });
    }

    let driving = true;
    const loops = [0, 1, 2, 3].map(async () => {
      while (driving) await converse();
    });
    const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 1200; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`never: ${what}`);
    };

    await until('60 acknowledged turns', () => acks.length >= 60 || refused.length > 0);
    // Both at once, mid-traffic: no shutdown hook runs, open transactions die with their connections.
    first.p.child.kill('SIGKILL');
    firstWorker.child.kill('SIGKILL');
    await Promise.all([first.p.exited, firstWorker.exited]);
    const ackedBeforeCrash = acks.length;

    const second = await api();
    worker();
    targets[0] = second.url;
    await until(
      'turns acknowledged after the restart',
      () => acks.length >= ackedBeforeCrash + 30 || refused.length > 0,
    );
    driving = false;
    await Promise.all(loops);

    expect(http.serverErrors).toEqual([]);
    expect(refused).toEqual([]);
    expect(http.connectionRetries).toBeGreaterThan(0);

    // Every acknowledged turn is in the database; what was acknowledged completed stayed completed.
    const ids = [...new Set(acks.map((a) => a.executionId))];
    const rows = await db!.kysely.selectFrom('executions').select(['id', 'status']).where('id', 'in', ids).execute();
    const status = new Map(rows.map((r) => [r.id, r.status]));
    for (const ack of acks) {
      expect(status.has(ack.executionId), ack.executionId).toBe(true);
      if (ack.status === 'completed') expect(status.get(ack.executionId)).toBe('completed');
    }
    // Nothing hangs: the worker takes up the dead one's jobs after their lease, so every time wait ends and no
    // execution stays running. Input waits nobody answered are legitimately waiting for their user.
    await until('no execution running or waiting on time', async () => {
      const open = await db!.kysely
        .selectFrom('executions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('status', 'in', ['running', 'waiting_time'])
        .executeTakeFirstOrThrow();
      return Number(open.n) === 0;
    });
    const failed = await db!.kysely
      .selectFrom('executions')
      .select(['id', 'error'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'failed')
      .execute();
    expect(failed).toEqual([]);
  }, 240_000);
});
