import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import type { loadConfig } from '../config.js';
import { connectionByName } from '../connections/connectionStore.js';
import { findPublishedFlow } from '../flows/flowService.js';
import { activeKeyByLabel } from '../keys/keyStore.js';
import { banner } from '../server/banner.js';
import { DEMO_KEY_LABEL, seedDemo } from './seedDemo.js';

const LLM_ENV = {
  COMERIX_DEMO_LLM_BASE_URL: 'https://llm.example/v1',
  COMERIX_DEMO_LLM_API_KEY: 'sk-demo-llm-key',
  COMERIX_DEMO_LLM_MODEL: 'gpt-4o-mini',
};
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function demoState(t: TestApp, tenantId: string) {
  const key = await activeKeyByLabel(t.ctx.kysely, tenantId, DEMO_KEY_LABEL);
  return {
    intents: key?.allowed_intents,
    flow: await findPublishedFlow(t.ctx, tenantId, 'product_advice'),
    connection: await connectionByName(t.ctx.kysely, tenantId, 'demo_llm'),
  };
}

describe('demo LLM flow', () => {
  it('is seeded with the demo when COMERIX_DEMO_LLM_BASE_URL is set', async () => {
    app = await createTestApp({ env: LLM_ENV });
    const demo = await seedDemo(app.ctx);
    expect(demo).toMatchObject({ created: true, llm: true });
    const state = await demoState(app, demo.tenantId);
    expect(state.intents).toContain('product_advice');
    expect(state.flow).toBeDefined();
    expect(state.connection).toMatchObject({ type: 'openai', auth_type: 'bearer' });
    const text = banner({
      url: 'http://localhost:3000',
      config: app.ctx.config,
      demo,
      origins: ['http://localhost:3000'],
    });
    expect(text).toContain('product_advice');
    expect(text).not.toContain('COMERIX_DEMO_LLM_BASE_URL');
  });

  it('is absent otherwise, with a banner hint; demo:seed --llm adds it to the existing demo tenant', async () => {
    app = await createTestApp();
    const demo = await seedDemo(app.ctx);
    expect(demo.llm).toBe(false);
    expect((await demoState(app, demo.tenantId)).flow).toBeUndefined();
    const text = banner({
      url: 'http://localhost:3000',
      config: app.ctx.config,
      demo,
      origins: ['http://localhost:3000'],
    });
    expect(text).toMatch(/COMERIX_DEMO_LLM_BASE_URL.*demo:seed --llm/);
    await expect(runCommand(app.ctx, { command: 'demo:seed', llm: true })).rejects.toMatchObject({
      code: 'invalid_request',
    });

    // The same database, now with the variable set.
    (app.ctx as { config: ReturnType<typeof loadConfig> }).config = {
      ...app.ctx.config,
      demoLlm: { baseUrl: LLM_ENV.COMERIX_DEMO_LLM_BASE_URL, model: 'gpt-4o-mini' },
    };
    expect(await runCommand(app.ctx, { command: 'demo:seed', llm: true })).toBe(demo.publicKey);
    const state = await demoState(app, demo.tenantId);
    expect(state.intents).toEqual(['order_status', 'returns', 'track_order', 'product_advice']);
    expect(state.connection).toMatchObject({ type: 'openai', auth_type: 'none' });
    // Again: nothing doubles.
    await runCommand(app.ctx, { command: 'demo:seed', llm: true });
    expect((await demoState(app, demo.tenantId)).intents).toHaveLength(4);
  });
});
