import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../app/AppContext.js';
import { findPublishedFlow, importFlow } from '../flows/flowService.js';
import { activeKeyByLabel } from '../keys/keyStore.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { createTenant, findTenant } from '../tenants/tenantStore.js';
import { DEMO_LLM_INTENT, seedDemoLlm } from './seedDemoLlm.js';

export const DEMO_SLUG = 'demo';
export const DEMO_KEY_LABEL = 'Demo widget';
export const DEMO_ORIGINS = ['http://localhost:3000', 'https://acme.com'];
const DEMO_FLOWS = ['order_status.json', 'returns.json', 'track_order.json'];
export const DEMO_INTENTS = ['order_status', 'returns', 'track_order'];

/** The example flow files ship in examples/flows; the demo imports the same files a user would. */
export function examplesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'flows');
}

export interface DemoInfo {
  tenantId: string;
  publicKey: string | undefined;
  created: boolean;
  /** The demo has the LLM `product_advice` flow (seeded with COMERIX_DEMO_LLM_BASE_URL set). */
  llm?: boolean;
}

/** Seeds tenant `demo` with its flows and widget key, once: a database that has the tenant is left alone. */
export async function seedDemo(ctx: AppContext): Promise<DemoInfo> {
  const existing = await findTenant(ctx, DEMO_SLUG);
  if (existing) {
    const llm = (await findPublishedFlow(ctx, existing.id, DEMO_LLM_INTENT)) !== undefined;
    return { tenantId: existing.id, publicKey: await demoKey(ctx, existing.id), created: false, llm };
  }
  const tenant = await createTenant(ctx, { name: 'Demo Shop', slug: DEMO_SLUG });
  for (const file of DEMO_FLOWS) {
    const definition: unknown = JSON.parse(await readFile(join(examplesDir(), file), 'utf8'));
    await importFlow(ctx, tenant.id, definition, { publish: true });
  }
  const key = await createWidgetKey(ctx, {
    tenantId: tenant.id,
    label: DEMO_KEY_LABEL,
    origins: DEMO_ORIGINS,
    intents: DEMO_INTENTS,
  });
  // With COMERIX_DEMO_LLM_BASE_URL set, the demo also gets the LLM flow (and its key the intent).
  if (ctx.config.demoLlm) await seedDemoLlm(ctx, tenant.id);
  return { tenantId: tenant.id, publicKey: key.key, created: true, llm: ctx.config.demoLlm !== undefined };
}

export async function demoKey(ctx: AppContext, tenantId: string): Promise<string | undefined> {
  return (await activeKeyByLabel(ctx.kysely, tenantId, DEMO_KEY_LABEL))?.key;
}
