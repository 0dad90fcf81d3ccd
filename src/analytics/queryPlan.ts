import { AppError, type FieldIssue } from '../errors/AppError.js';
import type {
  AnalyticsDimension,
  AnalyticsGranularity,
  AnalyticsMetric,
  AnalyticsQuery,
} from '../wire/analyticsSchemas.js';

/** The dimensions (and filters) each metric can be split by: what its rollup rows carry. */
const ENGAGEMENT: readonly AnalyticsDimension[] = ['flow', 'intent', 'key', 'page_type'];
const EXECUTIONS: readonly AnalyticsDimension[] = ['flow', 'intent', 'key', 'page_type', 'status'];
const CHATS: readonly AnalyticsDimension[] = ['key', 'page_type'];
const MONEY: readonly AnalyticsDimension[] = ['flow', 'intent', 'key', 'page_type', 'currency'];
const TOKENS: readonly AnalyticsDimension[] = ['flow', 'intent', 'key', 'page_type', 'model'];

export const METRIC_DIMENSIONS: Record<AnalyticsMetric, readonly AnalyticsDimension[]> = {
  sessions: CHATS,
  conversations: CHATS,
  chat_conversion_rate: CHATS,
  messages: ENGAGEMENT,
  turns: ENGAGEMENT,
  median_turn_latency_ms: ENGAGEMENT,
  goal_completions: ENGAGEMENT,
  executions: EXECUTIONS,
  executions_completed: ENGAGEMENT,
  executions_failed: ENGAGEMENT,
  executions_aborted: ENGAGEMENT,
  completion_rate: ENGAGEMENT,
  abandonment_rate: ENGAGEMENT,
  conversions: MONEY,
  revenue: MONEY,
  llm_calls: TOKENS,
  prompt_tokens: TOKENS,
  completion_tokens: TOKENS,
  total_tokens: TOKENS,
  cost_micros: TOKENS,
  form_submissions: ['key'],
  usage: ['key', 'usage_kind'],
};

/** The rollup metrics (analytics_rollups.metric) a query metric is computed from. */
export const ROLLUP_INPUTS: Record<Exclude<AnalyticsMetric, 'usage'>, readonly string[]> = {
  sessions: ['sessions'],
  conversations: ['conversations'],
  chat_conversion_rate: ['conversations', 'converted_conversations'],
  messages: ['messages'],
  turns: ['turns'],
  median_turn_latency_ms: ['turn_latency'],
  goal_completions: ['goal_completions'],
  executions: ['executions'],
  executions_completed: ['executions'],
  executions_failed: ['executions'],
  executions_aborted: ['executions'],
  completion_rate: ['executions'],
  abandonment_rate: ['executions'],
  conversions: ['conversions'],
  revenue: ['revenue'],
  llm_calls: ['llm_calls'],
  prompt_tokens: ['prompt_tokens'],
  completion_tokens: ['completion_tokens'],
  total_tokens: ['total_tokens'],
  cost_micros: ['cost_micros'],
  form_submissions: ['form_submissions'],
};

const FILTER_DIMENSIONS = ['flow', 'intent', 'key', 'page_type', 'model'] as const;

export interface QueryPlan {
  metrics: AnalyticsMetric[];
  /** The result's dimension columns, in order (`currency` appended when money is asked). */
  dimensions: AnalyticsDimension[];
  granularity: AnalyticsGranularity | null;
}

/** Checks the query's metrics against its dimensions and filters; a metric that cannot be split so is a 422. */
export function planQuery(query: AnalyticsQuery): QueryPlan {
  const metrics = [...new Set(query.metrics)];
  const dimensions = [...new Set(query.dimensions)];
  // Revenue is never summed across currencies: money metrics always come split by currency.
  if (metrics.some((m) => m === 'conversions' || m === 'revenue') && !dimensions.includes('currency'))
    dimensions.push('currency');
  const issues: FieldIssue[] = [];
  for (const metric of metrics) {
    const allowed = METRIC_DIMENSIONS[metric];
    for (const d of dimensions) {
      if (d === 'currency' && !allowed.includes(d) && !query.dimensions.includes('currency')) continue;
      if (!allowed.includes(d))
        issues.push({
          path: 'dimensions',
          rule: 'unsupported',
          message: `Metric ${metric} cannot be split by ${d} (it can by: ${allowed.join(', ') || 'nothing'}).`,
        });
    }
    for (const f of FILTER_DIMENSIONS) {
      if (query.filters[f] !== undefined && !allowed.includes(f))
        issues.push({
          path: `filters.${f}`,
          rule: 'unsupported',
          message: `Metric ${metric} cannot be filtered by ${f} (it can by: ${allowed.join(', ') || 'nothing'}).`,
        });
    }
  }
  if (issues.length > 0) throw AppError.validation(issues, 'The metrics cannot be split or filtered this way.');
  return { metrics, dimensions, granularity: query.granularity ?? null };
}
