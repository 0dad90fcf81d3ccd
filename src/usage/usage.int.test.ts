import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import type { PublicKey, Tenant } from '../db/types.js';
import { createSecretKey } from '../secretKeys/secretKeyService.js';
import { UsageMeter } from './UsageMeter.js';

let t: TestApp;
let tenant: Tenant;
let key: PublicKey;
beforeAll(async () => {
  t = await createTestApp();
  ({ tenant, key } = await seedTenant(t.ctx));
});
afterAll(async () => {
  await t?.close();
});

const usage = async (secret: string, query = '') => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/engine/v1/usage${query}`,
    headers: { authorization: `Bearer ${secret}` },
  });
  return {
    status: res.statusCode,
    body: res.json() as { items: Record<string, unknown>[]; nextCursor: string | null },
  };
};

describe('usage metering', () => {
  it('counts sessions and messages per key in memory; nothing is written until a flush', async () => {
    await t.ctx.meter.flush();
    const w = new Widget(t.app);
    await w.open(key.key);
    await w.trigger('order_status');
    const pending = t.ctx.meter.snapshot().filter((c) => c.publicKeyId === key.id);
    expect(pending.map((c) => [c.kind, c.count]).sort()).toEqual([
      ['message', 1],
      ['session', 1],
    ]);
    const stored = await t.ctx.kysely
      .selectFrom('usage_counters')
      .selectAll()
      .where('public_key_id', '=', key.id)
      .execute();
    expect(stored).toEqual([]);
    await t.ctx.meter.flush();
    expect(t.ctx.meter.snapshot()).toEqual([]);
    const rows = await t.ctx.kysely
      .selectFrom('usage_counters')
      .select(['kind', 'count'])
      .where('public_key_id', '=', key.id)
      .orderBy('kind')
      .execute();
    expect(rows.map((r) => [r.kind, Number(r.count)])).toEqual([
      ['message', 1],
      ['session', 1],
    ]);
    // A second flush adds to the same row.
    await w.open(key.key);
    await t.ctx.meter.flush();
    const session = await t.ctx.kysely
      .selectFrom('usage_counters')
      .select('count')
      .where('public_key_id', '=', key.id)
      .where('kind', '=', 'session')
      .executeTakeFirstOrThrow();
    expect(Number(session.count)).toBe(2);
  });

  it('per UTC day of an injected clock; off counts nothing', async () => {
    let now = new Date('2026-01-01T23:59:59Z');
    const meter = new UsageMeter(t.ctx.kysely, true, () => now);
    meter.count(tenant.id, key.id, 'config');
    now = new Date('2026-01-02T00:00:01Z');
    meter.count(tenant.id, key.id, 'config', 2);
    expect(meter.snapshot().map((c) => [c.day, c.count])).toEqual([
      ['2026-01-01', 1],
      ['2026-01-02', 2],
    ]);
    await meter.flush();
    const off = new UsageMeter(t.ctx.kysely, false);
    off.count(tenant.id, key.id, 'config');
    expect(off.snapshot()).toEqual([]);
  });

  it('GET /api/engine/v1/usage: engine:read, per key × day × kind, groupBy, cursor pages, tenant-scoped', async () => {
    const reader = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'r', scopes: ['engine:read'] });
    const writer = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'w', scopes: ['conversions:write'] });
    expect((await usage(writer.key)).status).toBe(403);
    const all = await usage(reader.key, `?key=${key.key}&from=2026-01-01&to=2026-01-02&kind=config`);
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual([
      { day: '2026-01-01', publicKeyId: key.id, kind: 'config', count: 1 },
      { day: '2026-01-02', publicKeyId: key.id, kind: 'config', count: 2 },
    ]);
    const page1 = await usage(reader.key, `?key=${key.id}&limit=1&from=2026-01-01&to=2026-01-02`);
    expect(page1.body.items).toHaveLength(1);
    const page2 = await usage(
      reader.key,
      `?key=${key.id}&limit=1&from=2026-01-01&to=2026-01-02&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items).toEqual([expect.objectContaining({ day: '2026-01-02' })]);
    expect(page2.body.nextCursor).toBeNull();
    const byKind = await usage(reader.key, `?groupBy=kind&key=${key.key}`);
    expect(byKind.body.items).toEqual(
      expect.arrayContaining([
        { kind: 'config', count: 3 },
        { kind: 'session', count: 2 },
      ]),
    );
    // Token spend is the tenant's (no LLM ran here: no rows), never per key.
    const tokens = await usage(reader.key, '?kind=tokens');
    expect(tokens.status).toBe(200);
    expect(tokens.body).toEqual({ items: [], nextCursor: null });
    expect((await usage(reader.key, `?kind=tokens&key=${key.id}`)).status).toBe(400);
    expect((await usage(reader.key, '?groupBy=model')).status).toBe(400);
    expect((await usage(reader.key, '?from=yesterday')).status).toBe(400);
    // Another tenant's key is not found, and its counters are not ours.
    const other = await seedTenant(t.ctx);
    const foreign = await usage(reader.key, `?key=${other.key.key}`);
    expect(foreign.status).toBe(404);
  });

  it('usage:show prints the same counters as a table', async () => {
    const table = await runCommand(t.ctx, { command: 'usage:show', key: key.key, kind: 'config' });
    expect(table.split('\n')[0]).toMatch(/^DAY\s+KEY\s+KIND\s+COUNT/);
    expect(table).toContain('2026-01-02');
    expect(table).toContain(key.key);
    const grouped = await runCommand(t.ctx, { command: 'usage:show', tenant: tenant.slug, groupBy: 'kind' });
    expect(grouped).toMatch(/session\s+2/);
  });

  it('a foreign-origin read is not counted', async () => {
    await t.ctx.meter.flush();
    await t.app.inject({
      method: 'GET',
      url: '/api/public/v1/chat/quick-questions',
      headers: { origin: 'https://evil.example', 'x-comerix-public-key': key.key },
    });
    expect(t.ctx.meter.snapshot()).toEqual([]);
    await t.app.inject({
      method: 'GET',
      url: '/api/public/v1/chat/quick-questions',
      headers: { origin: ORIGIN, 'x-comerix-public-key': key.key },
    });
    expect(t.ctx.meter.snapshot()).toEqual([expect.objectContaining({ kind: 'quick_questions', count: 1 })]);
  });
});
