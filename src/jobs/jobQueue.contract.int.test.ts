import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backend, openTestDb } from '../../test/support/testApp.js';
import type { Db } from '../db/openDatabase.js';
import type { Json } from '../engine/types.js';
import { GraphileJobQueue } from './GraphileJobQueue.js';
import type { JobMeta, JobQueue } from './JobQueue.js';
import { TableJobQueue } from './TableJobQueue.js';

let db: Db & { url?: string };
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db?.close();
});

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Each implementation, plus a variant whose lease (table) or staleness window (graphile) is shorter than a job.
const implementations: [string, () => JobQueue, { retryDelayMs: number }, () => JobQueue][] = [
  [
    'table',
    () => new TableJobQueue(db.kysely, { pollMs: 200, backoffMs: () => 300 }),
    { retryDelayMs: 300 },
    () => new TableJobQueue(db.kysely, { pollMs: 200, leaseMs: 1000 }),
  ],
];
if (backend === 'postgres') {
  // graphile-worker's own backoff: exp(attempt) seconds, so the first retry comes after ~2.7 s.
  implementations.push([
    'graphile',
    () => new GraphileJobQueue(db.url!, db.kysely),
    { retryDelayMs: 2000 },
    () => new GraphileJobQueue(db.url!, db.kysely, { staleAfterMs: 1000 }),
  ]);
}

describe.each(implementations)('JobQueue contract: %s', (_name, make, timing, longLease) => {
  let queue: JobQueue;
  const runs: { task: string; payload: Json; meta: JobMeta; at: number }[] = [];
  let failFirst = new Set<string>();

  afterEach(async () => {
    await queue?.stop();
    runs.length = 0;
    failFirst = new Set();
    await db.kysely.deleteFrom('jobs').execute();
  });

  async function startQueue() {
    queue = make();
    await queue.prepare();
    const record = (task: string) => async (payload: Json, meta: JobMeta) => {
      runs.push({ task, payload, meta, at: Date.now() });
      const id = (payload as { id?: string } | null)?.id ?? '';
      if (failFirst.has(id) && meta.attempt === 1) throw new Error(`planned failure of ${id}`);
    };
    await queue.start({ a: record('a'), b: record('b') }, { concurrency: 2 });
  }

  async function enqueueCommitted(spec: Parameters<JobQueue['enqueue']>[1]) {
    await db.kysely.transaction().execute((trx) => queue.enqueue(trx, spec));
    queue.wake();
  }

  it('delivers a committed job to its handler with the payload', async () => {
    await startQueue();
    await enqueueCommitted({ task: 'a', payload: { id: 'one', n: 1 } });
    await until(() => runs.length === 1);
    expect(runs[0]).toMatchObject({ task: 'a', payload: { id: 'one', n: 1 }, meta: { attempt: 1 } });
  });

  it('retries a failed job with backoff', async () => {
    await startQueue();
    failFirst.add('flaky');
    await enqueueCommitted({ task: 'a', payload: { id: 'flaky' } });
    await until(() => runs.length === 2, 20_000);
    expect(runs.map((r) => r.meta.attempt)).toEqual([1, 2]);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(timing.retryDelayMs - 50);
  });

  it('dedupes by job key: one run, with the latest payload', async () => {
    queue = make();
    await queue.prepare();
    await db.kysely.transaction().execute(async (trx) => {
      await queue.enqueue(trx, { task: 'a', payload: { id: 'k', v: 1 }, jobKey: 'key-1' });
    });
    await db.kysely.transaction().execute(async (trx) => {
      await queue.enqueue(trx, { task: 'a', payload: { id: 'k', v: 2 }, jobKey: 'key-1' });
    });
    await queue.stop();
    await startQueue();
    await enqueueCommitted({ task: 'b', payload: { id: 'marker' } });
    await until(() => runs.some((r) => r.task === 'b') && runs.some((r) => r.task === 'a'));
    await new Promise((r) => setTimeout(r, 500));
    expect(runs.filter((r) => r.task === 'a').map((r) => r.payload)).toEqual([{ id: 'k', v: 2 }]);
  });

  it('runs a job scheduled in the future no earlier than its run-at', async () => {
    await startQueue();
    const runAt = new Date(Date.now() + 1500);
    await enqueueCommitted({ task: 'a', payload: { id: 'later' }, runAt });
    await until(() => runs.length === 1, 20_000);
    expect(runs[0]!.at).toBeGreaterThanOrEqual(runAt.getTime() - 20);
  });

  it('never runs a job enqueued in a rolled-back transaction', async () => {
    await startQueue();
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await queue.enqueue(trx, { task: 'a', payload: { id: 'ghost' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    queue.wake();
    await enqueueCommitted({ task: 'b', payload: { id: 'after' } });
    await until(() => runs.some((r) => r.task === 'b'));
    await new Promise((r) => setTimeout(r, 500));
    expect(runs.map((r) => (r.payload as { id: string }).id)).toEqual(['after']);
    expect(await queue.pending()).toBe(0);
  });

  it('does not run a job twice while its worker is alive, however long it runs', async () => {
    queue = longLease();
    await queue.prepare();
    const starts: number[] = [];
    await queue.start(
      {
        slow: async () => {
          starts.push(Date.now());
          await new Promise((r) => setTimeout(r, 3500));
        },
      },
      { concurrency: 2 },
    );
    await enqueueCommitted({ task: 'slow', payload: null });
    await until(() => starts.length === 1);
    await new Promise((r) => setTimeout(r, 4500));
    expect(starts).toHaveLength(1);
  });

  it('forgets a job that failed for good: not pending, no longer exists', async () => {
    await startQueue();
    failFirst.add('doomed');
    await enqueueCommitted({ task: 'a', payload: { id: 'doomed' }, jobKey: 'doomed-key', maxAttempts: 1 });
    await until(() => runs.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await queue.exists('doomed-key')).toBe(false);
    expect(await queue.pending()).toBe(0);
  });

  it('cancels a pending job by key', async () => {
    queue = make();
    await queue.prepare();
    await db.kysely
      .transaction()
      .execute((trx) => queue.enqueue(trx, { task: 'a', payload: { id: 'x' }, jobKey: 'cancel-me' }));
    await db.kysely.transaction().execute((trx) => queue.cancel(trx, 'cancel-me'));
    await queue.stop();
    await startQueue();
    await enqueueCommitted({ task: 'b', payload: { id: 'marker' } });
    await until(() => runs.some((r) => r.task === 'b'));
    await new Promise((r) => setTimeout(r, 300));
    expect(runs.map((r) => r.task)).toEqual(['b']);
  });
  it('counts due jobs not yet picked up as waiting, and reports each pickup with how late it was', async () => {
    queue = make();
    await queue.prepare();
    await db.kysely.transaction().execute(async (trx) => {
      await queue.enqueue(trx, { task: 'a', payload: { id: 'due' } });
      await queue.enqueue(trx, {
        task: 'a',
        payload: { id: 'later' },
        runAt: new Date(Date.now() + 3600_000),
        jobKey: 'later',
      });
    });
    expect(await queue.waiting()).toBe(1);
    expect(await queue.pending()).toBe(2);
    const pickups: { task: string; seconds: number }[] = [];
    await queue.start(
      { a: async (payload, meta) => void runs.push({ task: 'a', payload, meta, at: Date.now() }) },
      { onPickup: (task, seconds) => pickups.push({ task, seconds }) },
    );
    await until(() => runs.length === 1);
    expect(pickups).toHaveLength(1);
    expect(pickups[0]!.task).toBe('a');
    expect(pickups[0]!.seconds).toBeGreaterThanOrEqual(0);
    expect(await queue.waiting()).toBe(0);
    await queue.cancel(db.kysely, 'later');
  });
});
