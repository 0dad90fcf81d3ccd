import { z } from 'zod';
import { adminActor } from '../../admin/adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from '../../admin/routes/adminRouteErrors.js';
import { defineRoute } from '../../http/defineRoute.js';
import { analyticsQuerySchema, analyticsResultSchema } from '../../wire/analyticsSchemas.js';
import { analyticsDeps } from '../analyticsDeps.js';
import { runAnalyticsQuery } from '../runAnalyticsQuery.js';
import { setTimeZone } from '../setTimeZone.js';

const TAGS = ['Admin: analytics'];

export const QUERY_DESCRIPTION =
  'Metrics over a range (absolute days or a preset), optionally bucketed by hour, day, week (from Monday) or month ' +
  'in the tenant’s time zone (or `timeZone`), split by dimensions and filtered. Test sessions of the admin’s test ' +
  'pane are never counted. Conversions and revenue always come split by `currency`. A metric that cannot be split ' +
  'or filtered as asked answers 422 `validation_failed` naming it. See docs/analytics-hub.md.';

export const adminAnalyticsQueryRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/analytics/query`,
  operationId: 'adminAnalyticsQuery',
  summary: 'Run an analytics query (the definition a saved report stores)',
  description: QUERY_DESCRIPTION,
  tags: TAGS,
  auth: 'admin',
  body: analyticsQuerySchema,
  response: { status: 200, description: 'A table: columns and rows', schema: analyticsResultSchema },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed', 'payload_too_large', 'unsupported_media_type'],
  handler: async ({ ctx, auth, body }) => ({
    status: 200,
    body: await runAnalyticsQuery(analyticsDeps(ctx), auth.tenantId, body),
    headers: NO_STORE,
  }),
});

const timeZoneBody = z.object({
  timeZone: z.string().min(1).max(64).describe('IANA time zone name, e.g. Europe/Paris; default UTC.'),
});

export const getTimeZoneRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/time-zone`,
  operationId: 'adminGetTimeZone',
  summary: 'The time zone analytics buckets days, weeks and months in',
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The setting', schema: timeZoneBody },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => {
    const row = await ctx.kysely
      .selectFrom('tenants')
      .select('time_zone')
      .where('id', '=', auth.tenantId)
      .executeTakeFirstOrThrow();
    return { status: 200, body: { timeZone: row.time_zone }, headers: NO_STORE };
  },
});

export const setTimeZoneRoute = defineRoute({
  method: 'PUT',
  path: `${ADMIN_BASE}/time-zone`,
  operationId: 'adminSetTimeZone',
  summary: 'Set the time zone analytics buckets days, weeks and months in',
  description: 'Audited as `tenant.time_zone`. Rollups are kept in UTC, so past data is re-bucketed at once.',
  tags: TAGS,
  auth: 'admin',
  role: 'owner',
  body: timeZoneBody,
  response: { status: 200, description: 'The setting', schema: timeZoneBody },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => {
    await setTimeZone(ctx, auth.tenantId, body.timeZone, adminActor(auth));
    return { status: 200, body: { timeZone: body.timeZone }, headers: NO_STORE };
  },
});
