import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant } from '../../test/support/fixtures.js';
import { multipartBody, PDF } from '../../test/support/multipart.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { importForm } from '../forms/formService.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { COMERIX_UPLOADS_PER_KEY_PER_DAY: '2' } });
});
afterAll(async () => {
  await t?.close();
});

describe('per-key daily upload quota', () => {
  it('counts flushed and unflushed uploads; past it → 429 rate_limited with Retry-After, before the file is read', async () => {
    const { tenant } = await seedTenant(t.ctx);
    await importForm(
      t.ctx,
      tenant.id,
      { code: 'cv', title: 'CV', fields: [{ name: 'cv', type: 'file', label: 'CV', accept: ['application/pdf'] }] },
      { publish: true },
    );
    const make = () =>
      createWidgetKey(t.ctx, {
        tenantId: tenant.id,
        label: 'k',
        origins: [ORIGIN],
        intents: ['returns'],
        forms: ['cv'],
      });
    const key = await make();
    const send = (publicKey: string) => {
      const body = multipartBody({ file: { name: 'f', filename: 'cv.pdf', type: 'application/pdf', bytes: PDF } });
      return t.app.inject({
        method: 'POST',
        url: `/api/public/v1/forms/cv/uploads?field=cv&publicKey=${publicKey}`,
        headers: { origin: ORIGIN, ...body.headers },
        payload: body.payload,
      });
    };
    expect((await send(key.key)).statusCode).toBe(201);
    await t.ctx.meter.flush();
    expect((await send(key.key)).statusCode).toBe(201);
    const uploads = await t.ctx.kysely.selectFrom('uploads').select('id').execute();
    const over = await send(key.key);
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(await t.ctx.kysely.selectFrom('uploads').select('id').execute()).toHaveLength(uploads.length);
    // Another key has its own quota.
    expect((await send((await make()).key)).statusCode).toBe(201);
  });
});
