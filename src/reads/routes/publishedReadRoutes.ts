import {
  ifNoneMatchHeader,
  PUBLIC_BASE,
  PUBLIC_KEY_ROUTE_ERRORS,
  publicKeyHeaders,
} from '../../forms/routes/formRouteErrors.js';
import { defineRoute } from '../../http/defineRoute.js';
import { publicKeyQuery } from '../../wire/formSchemas.js';
import { configParams, configResponse, quickQuestionsQuery, quickQuestionsResponse } from '../../wire/readSchemas.js';
import { cacheableAnswer, SHARED_CACHE } from '../cacheableAnswer.js';
import { readConfigSection, readQuickQuestions } from '../publishedReads.js';

const CACHE_TEXT =
  'Shared-cacheable: `Cache-Control: public, max-age=60, stale-while-revalidate=300`, a strong `ETag` over the exact body, `If-None-Match` → 304 with no body, `Vary: Origin, X-Comerix-Public-Key`. `X-Edge-Source: published` when served from the tenant’s published edge document, `live` from its rows while nothing is published yet.';

export const quickQuestionsRoute = defineRoute({
  method: 'GET',
  path: `${PUBLIC_BASE}/chat/quick-questions`,
  operationId: 'getQuickQuestions',
  summary: 'Quick-question prompts, by page type',
  description: `Items for any of the given page types (\`pageType\` repeated, or \`pageTypes=a,b\`) plus those without page types (every page), ordered by (position, id). Items whose intent is outside the key’s scope or not published are left out. ${CACHE_TEXT}`,
  tags: ['Published reads'],
  auth: 'publicKey',
  cors: true,
  query: quickQuestionsQuery,
  headers: [...publicKeyHeaders, ifNoneMatchHeader],
  response: {
    status: 200,
    description: 'The prompts (304 when If-None-Match matches)',
    schema: quickQuestionsResponse,
  },
  errors: PUBLIC_KEY_ROUTE_ERRORS,
  handler: async ({ ctx, auth, query, request }) => {
    const pageTypes = [
      ...(query.pageType === undefined ? [] : [query.pageType].flat()),
      ...(query.pageTypes ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ];
    const { body, source } = await readQuickQuestions(ctx, auth, pageTypes);
    ctx.meter.count(auth.tenant_id, auth.id, 'quick_questions');
    return cacheableAnswer(request, body, { cacheControl: SHARED_CACHE, source });
  },
});

export const configSectionRoute = defineRoute({
  method: 'GET',
  path: `${PUBLIC_BASE}/config/{section}`,
  operationId: 'getConfigSection',
  summary: 'A public config section (e.g. appearance)',
  description: `Answers \`{section, values}\` for sections the tenant marked public; any other (private or unknown) → 404 \`config_section_not_found\`. ${CACHE_TEXT}`,
  tags: ['Published reads'],
  auth: 'publicKey',
  cors: true,
  params: configParams,
  query: publicKeyQuery,
  headers: [...publicKeyHeaders, ifNoneMatchHeader],
  response: { status: 200, description: 'The section (304 when If-None-Match matches)', schema: configResponse },
  errors: [...PUBLIC_KEY_ROUTE_ERRORS, 'config_section_not_found'],
  handler: async ({ ctx, auth, params, request }) => {
    const { body, source } = await readConfigSection(ctx, auth, params.section);
    ctx.meter.count(auth.tenant_id, auth.id, 'config');
    return cacheableAnswer(request, body, { cacheControl: SHARED_CACHE, source });
  },
});

export const publishedReadRoutes = [quickQuestionsRoute, configSectionRoute];
