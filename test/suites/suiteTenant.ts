import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { AppContext } from '../../src/app/AppContext.js';
import { SECRET_KEY_SCOPES } from '../../src/db/types.js';
import { importForm } from '../../src/forms/formService.js';
import { updateWidgetKey } from '../../src/keys/widgetKeyService.js';
import { setConfigSection } from '../../src/reads/widgetSettingsService.js';
import { createSecretKey } from '../../src/secretKeys/secretKeyService.js';
import { seedTenant, Widget } from '../support/fixtures.js';

/** One tenant with one of everything a route can name: the suites' caller, or the victim of a probe. */
export interface SuiteTenant {
  tenantId: string;
  publicKey: string;
  sessionToken: string;
  secretKey: string;
  executionId: string;
  conversationId: string;
  formId: string;
  /** A public config section only this tenant has. */
  section: string;
}

export const suiteForm = (code: string) => ({
  code,
  title: 'Contact',
  fields: [
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'cv', type: 'file', label: 'CV', accept: ['application/pdf'] },
  ],
  confirmation: { message: 'Thanks!' },
});

export async function suiteTenant(ctx: AppContext, app: FastifyInstance, tag: string): Promise<SuiteTenant> {
  const { tenant, key } = await seedTenant(ctx);
  const section = `only_${tag}`;
  await setConfigSection(ctx, tenant.id, { section, values: { colour: `secret-${tag}` }, isPublic: true });
  const { form } = await importForm(ctx, tenant.id, suiteForm('contact'), { publish: true });
  await updateWidgetKey(ctx, tenant.id, key.key, { forms: ['contact'] });
  const w = new Widget(app);
  const opened = await w.open(key.key);
  expect(opened.status).toBe(201);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  const secret = await createSecretKey(ctx, { tenantId: tenant.id, label: 'suite', scopes: [...SECRET_KEY_SCOPES] });
  return {
    tenantId: tenant.id,
    publicKey: key.key,
    sessionToken: w.token!,
    secretKey: secret.key,
    executionId: String(turn.body.executionId),
    conversationId: String(opened.body.conversationId),
    formId: form.id,
    section,
  };
}
