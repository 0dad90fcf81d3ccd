// Pure (no DOM): the builder's form state and the query definition it stands for (src/wire/analyticsSchemas.ts).
// The lists are typed against the generated API types, so a name the API does not know fails the typecheck.
// Types from the generated document, not the client module, which needs a browser (the unit tests run in Node).
import type { paths } from '../api/schema.js';
import { splitValues } from './chartSeries.js';

export type AnalyticsDefinition = NonNullable<
  paths['/api/admin/v1/analytics/query']['post']['requestBody']
>['content']['application/json'];
type Metric = AnalyticsDefinition['metrics'][number];
type Dimension = NonNullable<AnalyticsDefinition['dimensions']>[number];
type Preset = Extract<AnalyticsDefinition['range'], { preset: unknown }>['preset'];
type Granularity = NonNullable<AnalyticsDefinition['granularity']>;

export const METRICS = [
  'sessions',
  'conversations',
  'messages',
  'turns',
  'median_turn_latency_ms',
  'executions',
  'executions_completed',
  'executions_failed',
  'executions_aborted',
  'completion_rate',
  'abandonment_rate',
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
] as const satisfies readonly Metric[];

export const DIMENSIONS = [
  'flow',
  'intent',
  'key',
  'page_type',
  'model',
  'status',
  'currency',
  'usage_kind',
] as const satisfies readonly Dimension[];

export const FILTERS = ['flow', 'intent', 'key', 'page_type', 'model'] as const;
export type FilterName = (typeof FILTERS)[number];

export const PRESETS = [
  'today',
  'yesterday',
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'this_month',
  'last_month',
] as const satisfies readonly Preset[];

export const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const satisfies readonly Granularity[];

export interface Draft {
  metrics: Metric[];
  dimensions: Dimension[];
  /** Comma-separated values per filter, as typed. */
  filters: Record<FilterName, string>;
  rangeKind: 'preset' | 'absolute';
  preset: Preset;
  from: string;
  to: string;
  /** '' is "no buckets": one total row per combination. */
  granularity: Granularity | '';
  /** '' is the tenant's zone. */
  timeZone: string;
}

export function emptyDraft(today: string): Draft {
  return {
    metrics: ['sessions'],
    dimensions: [],
    filters: { flow: '', intent: '', key: '', page_type: '', model: '' },
    rangeKind: 'preset',
    preset: 'last_30_days',
    from: today,
    to: today,
    granularity: 'day',
    timeZone: '',
  };
}

/** The definition the API takes: empty filters and the tenant's zone are left out rather than sent empty. */
export function definitionOf(draft: Draft): AnalyticsDefinition {
  const filters: Partial<Record<FilterName, string[]>> = {};
  for (const name of FILTERS) {
    const values = splitValues(draft.filters[name]);
    if (values.length > 0) filters[name] = values;
  }
  return {
    metrics: draft.metrics,
    dimensions: draft.dimensions,
    filters,
    range: draft.rangeKind === 'preset' ? { preset: draft.preset } : { from: draft.from, to: draft.to },
    ...(draft.granularity ? { granularity: draft.granularity } : {}),
    ...(draft.timeZone.trim() ? { timeZone: draft.timeZone.trim() } : {}),
  };
}

export function draftOf(definition: AnalyticsDefinition, today: string): Draft {
  const draft = emptyDraft(today);
  const filters = { ...draft.filters };
  for (const name of FILTERS) filters[name] = (definition.filters?.[name] ?? []).join(', ');
  const range = definition.range;
  return {
    metrics: [...definition.metrics],
    dimensions: [...(definition.dimensions ?? [])],
    filters,
    rangeKind: 'preset' in range ? 'preset' : 'absolute',
    preset: 'preset' in range ? range.preset : draft.preset,
    from: 'from' in range ? range.from : today,
    to: 'to' in range ? range.to : today,
    granularity: definition.granularity ?? '',
    timeZone: definition.timeZone ?? '',
  };
}

/** A preset's name as a person reads it (`last_30_days` → "last 30 days"). */
export function presetLabel(preset: string): string {
  return preset.replaceAll('_', ' ');
}
