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

const MASTER_KEY = 'a'.repeat(64);
let db: (Db & { url?: string }) | undefined;
let publicKey: string;
const running: Spawned[] = [];

beforeAll(async () => {
  if (backend !== 'postgres') return;
  db = await openTestDb();
  const ctx = await createContext(testConfig({ DATABASE_URL: db.url! }), db);
  publicKey = (await seedTenant(ctx, { flows: [exampleFlow('order_status')], key: { intents: ['order_status'] } })).key
    .key;
  await ctx.events.close();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await db?.close();
});

async function serve(): Promise<{ p: Spawned; url: string }> {
  const p = spawnComerix(['serve'], {
    DATABASE_URL: db!.url!,
    COMERIX_MASTER_KEY: MASTER_KEY,
    PORT: '0',
    COMERIX_SHUTDOWN_SECONDS: '20',
  });
  running.push(p);
  return { p, url: (await waitForBanner(p)).url };
}

interface Ack {
  executionId: string;
  status: string;
}

/** Drives whole conversations through a BalancedClient and keeps what was acknowledged. */
class Client {
  acks: Ack[] = [];
  otherErrors: string[] = [];
  private readonly http: BalancedClient;
  constructor(targets: string[]) {
    this.http = new BalancedClient(targets);
  }
  get serverErrors(): string[] {
    return this.http.serverErrors;
  }
  get connectionRetries(): number {
    return this.http.connectionRetries;
  }
  private call(path: string, init: { method: string; headers: Record<string, string>; body?: string }) {
    return this.http.call(path, init);
  }

  /** One conversation: open, trigger order_status (asks), answer (completes). */
  async converse(): Promise<void> {
    const json = { origin: ORIGIN, 'content-type': 'application/json' };
    const opened = await this.call('/api/public/v1/chat/sessions', {
      method: 'POST',
      headers: { ...json, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ publicKey, customerId: `c-${randomUUID()}` }),
    });
    if (opened.status !== 201) return void this.otherErrors.push(`open ${opened.status}`);
    const auth = { ...json, authorization: `Bearer ${opened.body.sessionToken}` };
    const ask = await this.call('/api/public/v1/chat/messages', {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ intentName: 'order_status', text: 'where is it' }),
    });
    if (ask.status !== 200) return void this.otherErrors.push(`trigger ${ask.status} ${JSON.stringify(ask.body)}`);
    this.acks.push({ executionId: String(ask.body.executionId), status: String(ask.body.status) });
    const done = await this.call('/api/public/v1/chat/messages', {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        executionId: ask.body.executionId,
        waitToken: ask.body.waitToken,
        values: { order_number: '12345' },
      }),
    });
    if (done.status !== 200) return void this.otherErrors.push(`resume ${done.status} ${JSON.stringify(done.body)}`);
    this.acks.push({ executionId: String(done.body.executionId), status: String(done.body.status) });
  }
}

describe.skipIf(backend !== 'postgres')('rolling restart on PostgreSQL', () => {
  it('restarts one of two API processes under traffic: every acknowledged turn stays, no 5xx', async () => {
    const a = await serve();
    const b = await serve();
    const targets = [a.url, b.url];
    const client = new Client(targets);
    let driving = true;
    const loops = [0, 1, 2].map(async () => {
      while (driving) await client.converse();
    });
    const acked = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (client.acks.length >= n) {
            clearInterval(check);
            resolve();
          } else if (client.otherErrors.length > 0) {
            clearInterval(check);
            reject(new Error(client.otherErrors.join('; ')));
          }
        }, 10);
      });

    await acked(40);
    a.p.child.kill('SIGTERM');
    expect(await a.p.exited).toBe(0);
    const replacement = await serve();
    targets[0] = replacement.url;
    const before = client.acks.length;
    await acked(before + 40);
    driving = false;
    await Promise.all(loops);

    // The restart was felt: A refused connections, which the client retried on the other process.
    expect(client.connectionRetries).toBeGreaterThan(0);
    expect(client.serverErrors).toEqual([]);
    expect(client.otherErrors).toEqual([]);
    // Every answer the client got is in the database: the execution exists, and a completed one stayed completed.
    const ids = [...new Set(client.acks.map((x) => x.executionId))];
    const rows = await db!.kysely.selectFrom('executions').select(['id', 'status']).where('id', 'in', ids).execute();
    const status = new Map(rows.map((r) => [r.id, r.status]));
    for (const ack of client.acks) {
      expect(status.has(ack.executionId), ack.executionId).toBe(true);
      if (ack.status === 'completed') expect(status.get(ack.executionId)).toBe('completed');
    }
    expect(client.acks.filter((x) => x.status === 'completed').length).toBeGreaterThanOrEqual(10);
  });
});
