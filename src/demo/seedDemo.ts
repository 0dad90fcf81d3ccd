import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../app/AppContext.js';
import { findPublishedFlow, importFlow } from '../flows/flowService.js';
import { importForm } from '../forms/formService.js';
import { activeKeyByLabel } from '../keys/keyStore.js';
import { normalizeOrigin } from '../keys/normalizeOrigin.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { addQuickQuestion, publishWidgetSettings, setConfigSection } from '../reads/widgetSettingsService.js';
import { createTenant, findTenant } from '../tenants/tenantStore.js';
import { type DemoLogin, demoOwner } from './demoOwner.js';
import { DEMO_LLM_INTENT, seedDemoLlm } from './seedDemoLlm.js';

export const DEMO_SLUG = 'demo';
export const DEMO_KEY_LABEL = 'Demo widget';
export const DEMO_ORIGINS = ['http://localhost:3000', 'https://acme.com'];

/**
 * The demo key's origins: the fixed two, plus this server's own origin (COMERIX_PUBLIC_URL, or the host and port it
 * listens on), so the demo page at /widget/demo can open a session wherever the server runs.
 */
export function demoOrigins(config: Pick<AppContext['config'], 'publicUrl'>): string[] {
  const own = normalizeOrigin(config.publicUrl);
  return own && !DEMO_ORIGINS.includes(own) ? [...DEMO_ORIGINS, own] : DEMO_ORIGINS;
}
const DEMO_FLOWS = ['order_status.json', 'returns.json', 'track_order.json'];
export const DEMO_INTENTS = ['order_status', 'returns', 'track_order'];
export const DEMO_FORMS = ['contact'];
const DEMO_QUICK_QUESTIONS = [
  { text: 'Where is my order?', intentName: 'order_status', pageTypes: ['cart'], position: 10 },
  { text: 'Can I return this item?', intentName: 'returns', pageTypes: ['product'], position: 20 },
  { text: 'Track a parcel', intentName: 'track_order', pageTypes: ['product', 'cart'], position: 30 },
];

/** The example flow files ship in examples/flows; the demo imports the same files a user would. */
export function examplesDir(kind: 'flows' | 'forms' = 'flows'): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', kind);
}

export interface DemoInfo {
  tenantId: string;
  publicKey: string | undefined;
  created: boolean;
  /** The demo has the LLM `product_advice` flow (seeded with COMERIX_DEMO_LLM_BASE_URL set). */
  llm?: boolean;
  /** The demo owner's login for the admin API. */
  admin?: DemoLogin;
  /** The demo key's allowed origins, as stored (a demo seeded by an earlier version may lack this server's own). */
  origins?: string[];
}

/**
 * Seeds tenant `demo` once (a database that has the tenant is left alone): its flows, the `contact` form, quick
 * questions for page types `product` and `cart`, a public `appearance` section, the published widget settings, and a
 * widget key whose scope covers the flows and the form.
 */
export async function seedDemo(ctx: AppContext): Promise<DemoInfo> {
  const existing = await findTenant(ctx, DEMO_SLUG);
  if (existing) {
    const llm = (await findPublishedFlow(ctx, existing.id, DEMO_LLM_INTENT)) !== undefined;
    // A demo seeded before admin users existed gets its owner now.
    const admin = await demoOwner(ctx, existing.id);
    const key = await activeKeyByLabel(ctx.kysely, existing.id, DEMO_KEY_LABEL);
    return { tenantId: existing.id, publicKey: key?.key, created: false, llm, admin, origins: key?.allowed_origins };
  }
  const tenant = await createTenant(ctx, { name: 'Demo Shop', slug: DEMO_SLUG });
  for (const file of DEMO_FLOWS) {
    const definition: unknown = JSON.parse(await readFile(join(examplesDir(), file), 'utf8'));
    await importFlow(ctx, tenant.id, definition, { publish: true });
  }
  for (const code of DEMO_FORMS) {
    const definition: unknown = JSON.parse(await readFile(join(examplesDir('forms'), `${code}.json`), 'utf8'));
    await importForm(ctx, tenant.id, definition, { publish: true });
  }
  for (const question of DEMO_QUICK_QUESTIONS) await addQuickQuestion(ctx, tenant.id, question);
  await setConfigSection(ctx, tenant.id, {
    section: 'appearance',
    values: {
      colors: { primary: '#1a73e8' },
      position: 'bottom-right',
      greeting: 'Hi! How can we help?',
      launcherLabel: 'Chat with us',
    },
    isPublic: true,
  });
  await publishWidgetSettings(ctx, tenant.id);
  const key = await createWidgetKey(ctx, {
    tenantId: tenant.id,
    label: DEMO_KEY_LABEL,
    origins: demoOrigins(ctx.config),
    intents: DEMO_INTENTS,
    forms: DEMO_FORMS,
  });
  // With COMERIX_DEMO_LLM_BASE_URL set, the demo also gets the LLM flow (and its key the intent).
  if (ctx.config.demoLlm) await seedDemoLlm(ctx, tenant.id);
  const admin = await demoOwner(ctx, tenant.id);
  return {
    tenantId: tenant.id,
    publicKey: key.key,
    created: true,
    llm: ctx.config.demoLlm !== undefined,
    admin,
    origins: demoOrigins(ctx.config),
  };
}

export async function demoKey(ctx: AppContext, tenantId: string): Promise<string | undefined> {
  return (await activeKeyByLabel(ctx.kysely, tenantId, DEMO_KEY_LABEL))?.key;
}
