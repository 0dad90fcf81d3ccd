import { defineRoute } from '../../http/defineRoute.js';
import { cacheableAnswer, PRIVATE_CACHE } from '../../reads/cacheableAnswer.js';
import { formParams, formSchemaResponse, publicKeyQuery } from '../../wire/formSchemas.js';
import { publishedFormFor } from '../formService.js';
import { ifNoneMatchHeader, PUBLIC_BASE, PUBLIC_KEY_ROUTE_ERRORS, publicKeyHeaders } from './formRouteErrors.js';

const READ_ERRORS = [...PUBLIC_KEY_ROUTE_ERRORS, 'form_not_allowed', 'form_not_found'] as const;

export const getFormRoute = defineRoute({
  method: 'GET',
  path: `${PUBLIC_BASE}/forms/{codeOrId}`,
  operationId: 'getForm',
  summary: 'A form’s render-safe schema (counts a mount)',
  description:
    'The published version’s title, fields and submit label. Counts one **mount** toward the key’s usage and is never cached (`Cache-Control: no-store`). A key without the form in its scope gets 403 `form_not_allowed` whether or not the form exists. `X-Edge-Source` tells whether it came from the published edge document or live rows.',
  tags: ['Forms'],
  auth: 'publicKey',
  limits: { rate: ['form_reads_per_ip'] },
  cors: true,
  params: formParams,
  query: publicKeyQuery,
  headers: publicKeyHeaders,
  response: { status: 200, description: 'The form schema', schema: formSchemaResponse },
  errors: [...READ_ERRORS],
  handler: async ({ ctx, auth, params }) => {
    const { schema, source } = await publishedFormFor(ctx, auth, params.codeOrId);
    ctx.meter.count(auth.tenant_id, auth.id, 'mount');
    return { status: 200, body: schema, headers: { 'cache-control': 'no-store', 'x-edge-source': source } };
  },
});

export const getFormSchemaRoute = defineRoute({
  method: 'GET',
  path: `${PUBLIC_BASE}/forms/{codeOrId}/schema`,
  operationId: 'getFormSchema',
  summary: 'The same schema, privately cacheable and never metered',
  description:
    'The same body as `GET /forms/{codeOrId}`, but it never writes anything (no usage count) and is privately cacheable: `Cache-Control: private, max-age=60`, a strong `ETag` over the exact body, `If-None-Match` → 304 with no body. Use it when an embed polls or refreshes the schema; republishing the form changes the ETag.',
  tags: ['Forms'],
  auth: 'publicKey',
  limits: { rate: ['form_reads_per_ip'] },
  cors: true,
  params: formParams,
  query: publicKeyQuery,
  headers: [...publicKeyHeaders, ifNoneMatchHeader],
  response: {
    status: 200,
    description: 'The form schema (304 when If-None-Match matches)',
    schema: formSchemaResponse,
  },
  errors: [...READ_ERRORS],
  handler: async ({ ctx, auth, params, request }) => {
    const { schema, source } = await publishedFormFor(ctx, auth, params.codeOrId);
    return cacheableAnswer(request, schema, { cacheControl: PRIVATE_CACHE, source });
  },
});
