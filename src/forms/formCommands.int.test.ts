import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import { seedDemo } from '../demo/seedDemo.js';
import { createTenant } from '../tenants/tenantStore.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('form commands', () => {
  it('form:import (draft), form:publish, form:list; a bad file names each problem', async () => {
    const tenant = await createTenant(t.ctx, { name: 'Forms', slug: 'forms-cli' });
    const definition = {
      code: 'feedback',
      title: 'Feedback',
      fields: [{ name: 'rating', type: 'number', label: 'Rating', min: 1, max: 5, required: true }],
    };
    const id = await runCommand(t.ctx, { command: 'form:import', tenant: 'forms-cli', definition, publish: false });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await runCommand(t.ctx, { command: 'form:list', tenant: 'forms-cli' })).toMatch(
      /feedback\s+Feedback\s+no\s+v0/,
    );
    expect(await runCommand(t.ctx, { command: 'form:publish', tenant: 'forms-cli', code: 'feedback' })).toBe(
      'feedback v1',
    );
    // Publishing an unchanged draft keeps the version.
    expect(await runCommand(t.ctx, { command: 'form:publish', tenant: 'forms-cli', code: 'feedback' })).toBe(
      'feedback v1',
    );
    expect(
      await runCommand(t.ctx, {
        command: 'form:import',
        tenant: 'forms-cli',
        definition: { ...definition, title: 'Feedback 2' },
        publish: true,
      }),
    ).toBe(`${id} v2`);
    await expect(
      runCommand(t.ctx, {
        command: 'form:import',
        tenant: tenant.id,
        definition: {
          code: 'Bad Code',
          title: 'x',
          fields: [{ name: 'a', type: 'text', label: 'A', options: [{ label: 'x', value: 'x' }] }],
          confirmation: { redirectUrl: 'javascript:alert(1)' },
        },
        publish: false,
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: {
        fields: expect.arrayContaining([
          expect.objectContaining({ path: 'code' }),
          expect.objectContaining({ path: 'fields[0].options' }),
          expect.objectContaining({ path: 'confirmation.redirectUrl' }),
        ]),
      },
    });
    await expect(
      runCommand(t.ctx, { command: 'form:publish', tenant: 'forms-cli', code: 'nope' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the demo tenant gets a published contact form in its key scope and quick questions for product and cart', async () => {
    const demo = await seedDemo(t.ctx);
    const key = demo.publicKey!;
    const form = await t.app.inject({
      method: 'GET',
      url: `/api/public/v1/forms/contact?publicKey=${key}`,
      headers: { origin: ORIGIN },
    });
    expect(form.statusCode).toBe(200);
    expect(form.json().code).toBe('contact');
    for (const pageType of ['product', 'cart']) {
      const qq = await t.app.inject({
        method: 'GET',
        url: `/api/public/v1/chat/quick-questions?publicKey=${key}&pageType=${pageType}`,
        headers: { origin: ORIGIN },
      });
      expect(qq.headers['x-edge-source']).toBe('published');
      expect(qq.json().items.length, pageType).toBeGreaterThanOrEqual(2);
    }
    const appearance = await t.app.inject({ method: 'GET', url: `/api/public/v1/config/appearance?publicKey=${key}` });
    expect(appearance.json().values.launcherLabel).toBe('Chat with us');
  });
});
