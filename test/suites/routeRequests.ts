import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AnyRoute, AuthKind } from '../../src/http/defineRoute.js';
import { ORIGIN } from '../support/fixtures.js';
import { multipartBody, PDF } from '../support/multipart.js';
import type { SuiteTenant } from './suiteTenant.js';

/**
 * How each auth kind's caller proves who it is, given its tenant. A kind added to AuthKind without an entry here
 * fails to compile.
 */
export const CREDENTIALS: Record<
  AuthKind,
  (t: SuiteTenant) => { headers: Record<string, string>; publicKey?: string }
> = {
  none: () => ({ headers: {} }),
  publicKey: (t) => ({ headers: { 'x-comerix-public-key': t.publicKey }, publicKey: t.publicKey }),
  session: (t) => ({ headers: { authorization: `Bearer ${t.sessionToken}` } }),
  sessionOrPublicKey: (t) => ({ headers: { authorization: `Bearer ${t.sessionToken}` } }),
  secretKey: (t) => ({ headers: { authorization: `Bearer ${t.secretKey}` } }),
  admin: (t) => ({ headers: { cookie: t.adminCookie, 'x-csrf-token': t.adminCsrf } }),
};

/**
 * What each path parameter names, by the segment before it: the victim's own value, and one no tenant has. A route
 * whose parameter is missing here fails the suites until it is added.
 */
export const ID_NAMES: Record<string, { of: (t: SuiteTenant) => string; unknown: string }> = {
  'executions/{id}': { of: (t) => t.executionId, unknown: '01900000-0000-7000-8000-000000000000' },
  'conversations/{id}': { of: (t) => t.conversationId, unknown: '01900000-0000-7000-8000-000000000001' },
  'forms/{codeOrId}': { of: (t) => t.formId, unknown: '01900000-0000-7000-8000-000000000002' },
  'config/{section}': { of: (t) => t.section, unknown: 'only_nobody' },
  'customers/{customerId}': { of: (t) => t.customerId, unknown: 'nobody-at-all' },
};

/**
 * Routes with no tenant behind their parameters: the API viewer's static assets, and the signed report download
 * link, whose caller has no tenant at all (the signature over the run id is the whole credential; its own suite,
 * src/reports/reports.int.test.ts, shows an altered or expired link refused).
 */
export const TENANTLESS = new Set(['apiDocsAsset', 'downloadReportRun']);

export function idNamesOf(route: AnyRoute): string[] {
  return [...route.path.matchAll(/([\w-]+)\/\{(\w+)\}/g)].map((m) => `${m[1]}/{${m[2]}}`);
}

export function fillPath(route: AnyRoute, value: (idName: string) => string): string {
  return route.path.replace(/([\w-]+)\/\{(\w+)\}/g, (_all, segment: string, param: string) => {
    return `${segment}/${percentEncode(value(`${segment}/{${param}}`))}`;
  });
}

/** A valid body per operation that needs one (the rest get `{}`). */
export const MINIMAL_BODIES: Record<string, (publicKey: string | undefined) => Record<string, unknown>> = {
  openSession: (publicKey) => ({ customerId: 'u-suite', ...(publicKey ? { publicKey } : {}) }),
  sendMessage: () => ({ intentName: 'order_status', text: 'hi' }),
  sendEvent: () => ({ type: 'widget_open' }),
  sendEventBatch: () => ({ events: [{ type: 'widget_open' }] }),
  submitForm: () => ({ values: { email: 'a@example.com' } }),
  engineReportConversion: () => ({ orderId: 'o-suite', amount: '19.99', currency: 'EUR', customerId: 'u-42' }),
  engineAnalyticsQuery: () => ({ metrics: ['sessions'], range: { preset: 'today' } }),
};

/** Every byte percent-encoded (a lone surrogate becomes U+FFFD's bytes, as it would on the wire). */
function percentEncode(value: string): string {
  return /^[\w.~-]*$/.test(value)
    ? value
    : [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** A minimal valid request of the route with the given credential, its URL already filled in. */
export function sendAs(
  app: FastifyInstance,
  route: AnyRoute,
  url: string,
  credential: { headers: Record<string, string>; publicKey?: string },
  executionId: string,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { origin: ORIGIN, ...credential.headers };
  if (route.method === 'GET') return app.inject({ method: 'GET', url, headers });
  if (route.multipart) {
    const query = route.operationId === 'uploadChatFile' ? `?executionId=${executionId}&field=cv` : '?field=cv';
    const body = multipartBody({
      ...(credential.publicKey ? { fields: { publicKey: credential.publicKey } } : {}),
      file: { name: 'file', filename: 'cv.pdf', type: 'application/pdf', bytes: PDF },
    });
    return app.inject({
      method: route.method,
      url: url + query,
      headers: { ...headers, ...body.headers },
      payload: body.payload,
    });
  }
  const payload = MINIMAL_BODIES[route.operationId]?.(credential.publicKey) ?? {};
  return app.inject({
    method: route.method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload,
  });
}
