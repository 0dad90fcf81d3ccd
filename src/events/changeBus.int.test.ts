import type pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, openTestDb } from '../../test/support/testApp.js';
import type { Db } from '../db/openDatabase.js';
import { ChangeBus, EXECUTION_CHANNEL } from './ChangeBus.js';

/** Long enough never to be the reason a wake is missed; a wait that times out returns false and fails the test. */
const WAKE_MS = 20_000;

/** The LISTEN connection of an instance (private), to see when a notification has reached it. */
function listenClient(events: ChangeBus): pg.Client {
  const client = (events as unknown as { client?: pg.Client }).client;
  if (!client) throw new Error('not listening');
  return client;
}

/** Resolves once `events`' LISTEN connection has received an execution notification naming `id`. */
function notified(events: ChangeBus, id: string): Promise<void> {
  const client = listenClient(events);
  return new Promise((resolve) => {
    const onNotification = (msg: pg.Notification) => {
      if (msg.channel === EXECUTION_CHANNEL && msg.payload?.split(',').includes(id)) {
        client.off('notification', onNotification);
        resolve();
      }
    };
    client.on('notification', onNotification);
  });
}

// Cross-process announcements go through LISTEN/NOTIFY, which only PostgreSQL has.
describe.skipIf(backend === 'pglite')('ChangeBus across processes on PostgreSQL', () => {
  let db: Db & { url?: string };
  let a: ChangeBus;
  let b: ChangeBus;
  beforeAll(async () => {
    db = await openTestDb();
    a = new ChangeBus();
    b = new ChangeBus();
    await a.listenPostgres(db.url!);
    await b.listenPostgres(db.url!);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.close();
  });

  it('wakes a watcher in the other instance', async () => {
    const id = uuidv7();
    const onB = b.watch(id);
    try {
      a.changed(id);
      expect(await onB.wait(WAKE_MS)).toBe(true);
    } finally {
      onB.close();
    }
  });

  it('does not wake a watcher of another id', async () => {
    const id = uuidv7();
    const other = uuidv7();
    const watchOther = b.watch(other);
    const watchId = b.watch(id);
    try {
      const arrived = notified(b, id);
      a.changed(id);
      expect(await watchId.wait(WAKE_MS)).toBe(true);
      await arrived;
      expect(await watchOther.wait(0)).toBe(false);
    } finally {
      watchOther.close();
      watchId.close();
    }
  });

  it('wakes a local watcher once, not again when its own NOTIFY comes back', async () => {
    const id = uuidv7();
    const onA = a.watch(id);
    const onB = b.watch(id);
    try {
      const echo = notified(a, id);
      a.changed(id);
      expect(await onA.wait(WAKE_MS)).toBe(true);
      // The announcement went out and came back to A's own LISTEN connection …
      expect(await onB.wait(WAKE_MS)).toBe(true);
      await echo;
      // … without waking A's watcher a second time.
      expect(await onA.wait(300)).toBe(false);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it('delivers many announcements, batched, to every watcher in the other instance', async () => {
    const ids = Array.from({ length: 500 }, () => uuidv7());
    const wanted = new Set(ids);
    const payloads: string[][] = [];
    const client = listenClient(b);
    const record = (msg: pg.Notification) => {
      const got = (msg.payload ?? '').split(',').filter((id) => wanted.has(id));
      if (msg.channel === EXECUTION_CHANNEL && got.length > 0) payloads.push(got);
    };
    client.on('notification', record);
    const watchers = ids.map((id) => b.watch(id));
    try {
      for (const id of ids) a.changed(id);
      const woke = await Promise.all(watchers.map((w) => w.wait(WAKE_MS)));
      expect(woke).toHaveLength(500);
      expect(woke.filter((x) => !x)).toHaveLength(0);
      // Batched: fewer NOTIFYs than ids, none over 200 ids (8000 bytes), every id exactly once.
      expect(payloads.length).toBeLessThan(ids.length);
      expect(Math.max(...payloads.map((p) => p.length))).toBeLessThanOrEqual(200);
      expect(payloads.flat().sort()).toEqual([...ids].sort());
    } finally {
      client.off('notification', record);
      for (const w of watchers) w.close();
    }
  });

  it('announcements flow both ways', async () => {
    const id = uuidv7();
    const onA = a.watch(id);
    try {
      b.changed(id);
      expect(await onA.wait(WAKE_MS)).toBe(true);
    } finally {
      onA.close();
    }
  });
});
