import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { ADMIN_COOKIE, createAdminUser, generatePassword, login } from '../../src/admin/adminUserService.js';
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
  /** The customer of the tenant's session, no other tenant's. */
  customerId: string;
  /** An owner's admin session: the cookie header and its CSRF token. */
  adminCookie: string;
  adminCsrf: string;
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
  // Customer ids are the business's own, so two tenants may share one: each suite tenant's is its own alone.
  const customerId = `u-${tag}-${tenant.id}`;
  const opened = await w.open(key.key, { customerId });
  expect(opened.status).toBe(201);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  const secret = await createSecretKey(ctx, { tenantId: tenant.id, label: 'suite', scopes: [...SECRET_KEY_SCOPES] });
  const password = generatePassword();
  const email = `owner-${tag}-${tenant.id}@suite.test`;
  await createAdminUser(ctx, { tenantId: tenant.id, email, role: 'owner', password, actor: 'cli' });
  const admin = await login(ctx, { email, password });
  return {
    adminCookie: `${ADMIN_COOKIE}=${admin.token}`,
    adminCsrf: admin.csrfToken,
    tenantId: tenant.id,
    publicKey: key.key,
    sessionToken: w.token!,
    secretKey: secret.key,
    executionId: String(turn.body.executionId),
    conversationId: String(opened.body.conversationId),
    formId: form.id,
    section,
    customerId,
  };
}
