import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };

/** The CSRF token of the current session (from login or /me); sent with every request but GET. */
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the session is gone (401), so the shell can show the login screen. */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

const adminMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken && new URL(request.url).pathname.startsWith('/api/admin/')) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && path.startsWith('/api/admin/') && !path.endsWith('/auth/login')) {
      onUnauthenticated();
    }
    return response;
  },
};

/** The typed client: paths, bodies and answers come from the OpenAPI document (src/api/schema.d.ts, generated). */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(adminMiddleware);

export interface ApiProblem {
  code: string;
  message: string;
  status: number;
  details?: unknown;
}

/** The §12 envelope of a failed call, or a network failure, as one shape the screens can show. */
export function problemOf(error: unknown, response: Response | undefined): ApiProblem {
  const envelope = (error as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return {
    code: envelope?.code ?? 'network_error',
    message: envelope?.message ?? 'The server could not be reached.',
    status: response?.status ?? 0,
    ...(envelope?.details !== undefined ? { details: envelope.details } : {}),
  };
}

export type AdminUser = MeAnswer['user'];
export type MeAnswer = paths['/api/admin/v1/me']['get']['responses'][200]['content']['application/json'];
export type FlowSummary =
  paths['/api/admin/v1/flows']['get']['responses'][200]['content']['application/json']['flows'][number];
export type FlowDetail = paths['/api/admin/v1/flows/{id}']['get']['responses'][200]['content']['application/json'];
export type FlowProblems =
  paths['/api/admin/v1/flows/{id}/validate']['post']['responses'][200]['content']['application/json'];
export type FlowVersion =
  paths['/api/admin/v1/flows/{id}/versions']['get']['responses'][200]['content']['application/json']['versions'][number];
export type FlowDiff = paths['/api/admin/v1/flows/{id}/diff']['get']['responses'][200]['content']['application/json'];
export type HistoryList = paths['/api/admin/v1/conversations']['get']['responses'][200]['content']['application/json'];
export type ConversationView =
  paths['/api/admin/v1/conversations/{id}']['get']['responses'][200]['content']['application/json'];
export type TestSession =
  paths['/api/admin/v1/flows/{id}/test-sessions']['post']['responses'][201]['content']['application/json'];
export type TurnAnswer = paths['/api/public/v1/chat/messages']['post']['responses'][200]['content']['application/json'];

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type WidgetKey = Json<'/api/admin/v1/widget-keys', 'get', 200>['keys'][number];
export type WidgetKeyBody = NonNullable<
  paths['/api/admin/v1/widget-keys']['post']['requestBody']
>['content']['application/json'];
export type QuickQuestion = Json<'/api/admin/v1/quick-questions', 'get', 200>['quickQuestions'][number];
export type ConfigSection = Json<'/api/admin/v1/config', 'get', 200>['sections'][number];
export type Published = Json<'/api/admin/v1/widget-settings/publish', 'post', 200>;
export type FormSummary = Json<'/api/admin/v1/forms', 'get', 200>['forms'][number];
export type FormDetailView = Json<'/api/admin/v1/forms/{id}', 'get', 200>;
export type Submission = Json<'/api/admin/v1/forms/{id}/submissions', 'get', 200>['submissions'][number];
export type Connection = Json<'/api/admin/v1/connections', 'get', 200>['connections'][number];
export type ConnectionBody = NonNullable<
  paths['/api/admin/v1/connections']['post']['requestBody']
>['content']['application/json'];
export type ConnectionTest = Json<'/api/admin/v1/connections/{name}/test', 'post', 200>;
export type WebhookEndpoint = Json<'/api/admin/v1/webhooks', 'get', 200>['endpoints'][number];
export type CreatedWebhook = Json<'/api/admin/v1/webhooks', 'post', 201>;
export type UsagePage = Json<'/api/admin/v1/usage', 'get', 200>;
export type AuditPage = Json<'/api/admin/v1/audit', 'get', 200>;
export type AnalyticsResult = Json<'/api/admin/v1/analytics/query', 'post', 200>;
export type AnalyticsDefinition = NonNullable<
  paths['/api/admin/v1/analytics/query']['post']['requestBody']
>['content']['application/json'];
export type Report = Json<'/api/admin/v1/reports', 'get', 200>['reports'][number];
export type ReportRunSummary = Json<'/api/admin/v1/reports/{id}/runs', 'get', 200>['runs'][number];
export type ReportScheduleBody = NonNullable<
  paths['/api/admin/v1/reports/{id}/schedule']['put']['requestBody']
>['content']['application/json'];
