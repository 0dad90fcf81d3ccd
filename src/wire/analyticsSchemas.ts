// Wire shapes of an analytics query (DESIGN §13): the definition a saved report stores and both query endpoints
// take (POST /api/admin/v1/analytics/query, POST /api/engine/v1/analytics/query, MCP `analytics_query`), and the
// flat, table-like result every consumer (JSON, CSV export, charts) reads.
import { z } from 'zod';

/** What can be measured. Rates and the median are computed from rollup counts at query time. */
export const ANALYTICS_METRICS = [
  'sessions',
  'conversations',
  'messages',
  'executions',
  'executions_completed',
  'executions_failed',
  'executions_aborted',
  'completion_rate',
  'abandonment_rate',
  'turns',
  'median_turn_latency_ms',
  'goal_completions',
  'conversions',
  'revenue',
  'chat_conversion_rate',
  'llm_calls',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_micros',
  'form_submissions',
  'usage',
] as const;
export type AnalyticsMetric = (typeof ANALYTICS_METRICS)[number];

/**
 * What rows can be split by. `currency` is added to the result by itself whenever `conversions` or `revenue` is
 * asked, since revenue is never summed across currencies. `status` splits `executions`; `usage_kind` splits `usage`.
 */
export const ANALYTICS_DIMENSIONS = [
  'flow',
  'intent',
  'key',
  'page_type',
  'model',
  'status',
  'currency',
  'usage_kind',
] as const;
export type AnalyticsDimension = (typeof ANALYTICS_DIMENSIONS)[number];

export const ANALYTICS_PRESETS = [
  'today',
  'yesterday',
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'this_month',
  'last_month',
] as const;
export type AnalyticsPreset = (typeof ANALYTICS_PRESETS)[number];

export const ANALYTICS_GRANULARITIES = ['hour', 'day', 'week', 'month'] as const;
export type AnalyticsGranularity = (typeof ANALYTICS_GRANULARITIES)[number];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const names = z.array(z.string().min(1).max(200)).min(1).max(100);

export const analyticsRangeSchema = z
  .union([
    z
      .object({
        from: day.describe('First day, inclusive, in the query’s time zone.'),
        to: day.describe('Last day, inclusive, in the query’s time zone.'),
      })
      .strict(),
    z
      .object({
        preset: z
          .enum(ANALYTICS_PRESETS)
          .describe('Relative to today in the query’s time zone; `last_N_days` ends today.'),
      })
      .strict(),
  ])
  .describe('Absolute days `{from, to}` or a relative `{preset}`.');

export const analyticsFiltersSchema = z
  .object({
    flow: names.optional().describe('Flow ids.'),
    intent: names.optional().describe('Intent names.'),
    key: names.optional().describe('Public key ids (or pk_live_… values).'),
    page_type: names.optional().describe('Page types (telemetry `pageType`, attributed to the conversation).'),
    model: names.optional().describe('LLM models (token metrics only).'),
  })
  .strict();

export const analyticsQuerySchema = z
  .object({
    metrics: z.array(z.enum(ANALYTICS_METRICS)).min(1).max(ANALYTICS_METRICS.length),
    dimensions: z.array(z.enum(ANALYTICS_DIMENSIONS)).max(ANALYTICS_DIMENSIONS.length).default([]),
    filters: analyticsFiltersSchema.default({}),
    range: analyticsRangeSchema,
    granularity: z
      .enum(ANALYTICS_GRANULARITIES)
      .optional()
      .describe('Buckets in the time zone; absent: one total row per dimension combination.'),
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('IANA time zone overriding the tenant’s `time_zone` setting for this query.'),
  })
  .strict();
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;
/** The definition as a caller writes it (defaults not yet applied), e.g. as a saved report stores it. */
export type AnalyticsQueryInput = z.input<typeof analyticsQuerySchema>;

export const analyticsColumnSchema = z.object({
  name: z.string().describe('`bucket`, a dimension name or a metric name.'),
  kind: z.enum(['bucket', 'dimension', 'metric']),
});

/** A cell: a bucket label or dimension value (string, null when the row has none), or a metric value (number). */
export const analyticsCellSchema = z.union([z.string(), z.number(), z.null()]);

export const analyticsResultSchema = z.object({
  columns: z.array(analyticsColumnSchema).describe('In order: `bucket` (with a granularity), dimensions, metrics.'),
  rows: z
    .array(z.array(analyticsCellSchema))
    .describe(
      'One row per bucket × dimension combination, cells in column order. Buckets are local starts: ' +
        '`YYYY-MM-DD` (day, week from Monday, month) or `YYYY-MM-DDTHH:00` (hour). Revenue is in minor units of the ' +
        'row’s `currency`. Rates are 0..1 and null when nothing was started; the median is null without turns.',
    ),
  timeZone: z.string(),
  from: z.string().describe('The range’s first instant (ISO 8601).'),
  to: z.string().describe('The range’s end, exclusive (ISO 8601).'),
  granularity: z.enum(ANALYTICS_GRANULARITIES).nullable(),
});
export type AnalyticsResult = z.infer<typeof analyticsResultSchema>;
