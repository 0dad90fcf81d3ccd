import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createTenant } from '../tenants/tenantStore.js';
import type { BlobStore } from './BlobStore.js';
import { DatabaseBlobStore } from './DatabaseBlobStore.js';
import { DirectoryBlobStore } from './DirectoryBlobStore.js';

// One contract, both implementations, on the test run's database (PGlite and PostgreSQL projects).
let t: TestApp;
let dir: string;
let tenantA: string;
let tenantB: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), 'comerix-blobs-'));
  tenantA = (await createTenant(t.ctx, { name: 'A', slug: `a-${Date.now()}` })).id;
  tenantB = (await createTenant(t.ctx, { name: 'B', slug: `b-${Date.now()}` })).id;
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => BlobStore][] = [
  ['database', () => new DatabaseBlobStore(t.ctx.kysely)],
  ['directory', () => new DirectoryBlobStore(dir)],
];

const name = () => crypto.randomUUID().replaceAll('-', '');

describe.each(stores)('BlobStore contract: %s', (kind, make) => {
  it('keeps bytes exactly, per tenant', async () => {
    const store = make();
    expect(store.kind).toBe(kind);
    const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);
    const n = name();
    await store.put(tenantA, n, bytes);
    expect((await store.get(tenantA, n))?.equals(bytes)).toBe(true);
    // Another tenant's name is like no name.
    expect(await store.get(tenantB, n)).toBeUndefined();
    const empty = name();
    await store.put(tenantA, empty, Buffer.alloc(0));
    expect((await store.get(tenantA, empty))?.length).toBe(0);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const bigName = name();
    await store.put(tenantA, bigName, big);
    expect((await store.get(tenantA, bigName))?.equals(big)).toBe(true);
  });

  it('delete removes the bytes and is a no-op when they are gone; a name is written once', async () => {
    const store = make();
    const n = name();
    await store.put(tenantA, n, Buffer.from('x'));
    await expect(store.put(tenantA, n, Buffer.from('y'))).rejects.toThrow();
    expect((await store.get(tenantA, n))?.toString()).toBe('x');
    await store.delete(tenantB, n);
    expect((await store.get(tenantA, n))?.toString()).toBe('x');
    await store.delete(tenantA, n);
    expect(await store.get(tenantA, n)).toBeUndefined();
    await store.delete(tenantA, n);
  });

  it('refuses names that are not ours (no path walking, no other rows)', async () => {
    const store = make();
    await expect(store.put(tenantA, '../../etc/passwd', Buffer.from('x'))).rejects.toThrow();
    expect(await store.get(tenantA, '../x')).toBeUndefined();
    await store.delete(tenantA, "' or 1=1 --");
  });
});

describe('DirectoryBlobStore', () => {
  it('writes owner-only files', async () => {
    const store = new DirectoryBlobStore(dir);
    const n = name();
    await store.put(tenantA, n, Buffer.from('secret'));
    expect(statSync(join(dir, tenantA, n)).mode & 0o077).toBe(0);
  });
});
