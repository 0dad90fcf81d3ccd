import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import type {
  AnalyticsDimension,
  AnalyticsGranularity,
  AnalyticsMetric,
  AnalyticsQuery,
  AnalyticsResult,
} from '../wire/analyticsSchemas.js';
import { planQuery, ROLLUP_INPUTS } from './queryPlan.js';
import { refreshRollups } from './refreshRollups.js';
import { resolveRange } from './resolveRange.js';
import { isTimeZone } from './timeZone.js';

/** What a query needs: the primary (rollup upkeep), the reads' database (a replica when DATABASE_READ_URL is set). */
export interface AnalyticsDeps {
  db: { kysely: Kysely<Database> };
  /** Where rollups are read; absent: `db`. */
  readDb?: { kysely: Kysely<Database> } | undefined;
  /** "Today" for presets; tests move it. */
  clock: () => Date;
}

/** Rollup columns of the dimensions (`intent` comes from the flow; `usage_kind` only from usage counters). */
const ROLLUP_COLUMN: Record<Exclude<AnalyticsDimension, 'usage_kind'>, string> = {
  flow: 'r.flow_id',
  intent: `coalesce(f.intent_name, '')`,
  key: 'r.public_key_id',
  page_type: 'r.page_type',
  model: 'r.model',
  status: 'r.status',
  currency: 'r.currency',
};

const LABEL: Record<AnalyticsGranularity, (at: string, tz: RawBuilder<unknown>) => RawBuilder<string>> = {
  hour: (at, tz) => sql`to_char(${sql.raw(at)} at time zone ${tz}, 'YYYY-MM-DD"T"HH24:00')`,
  day: (at, tz) => sql`to_char(${sql.raw(at)} at time zone ${tz}, 'YYYY-MM-DD')`,
  week: (at, tz) => sql`to_char(date_trunc('week', ${sql.raw(at)} at time zone ${tz}), 'YYYY-MM-DD')`,
  month: (at, tz) => sql`to_char(date_trunc('month', ${sql.raw(at)} at time zone ${tz}), 'YYYY-MM-DD')`,
};

interface Group {
  cells: (string | null)[];
  sums: Map<string, number>;
  statuses: Map<string, number>;
  latency: Map<number, number>;
  usage: number;
}

/** Answers a query definition (DESIGN §13) for one tenant from the rollups, in the tenant's time zone. */
export async function runAnalyticsQuery(
  deps: AnalyticsDeps,
  tenantId: string,
  query: AnalyticsQuery,
): Promise<AnalyticsResult> {
  const plan = planQuery(query);
  const tenant = await deps.db.kysely
    .selectFrom('tenants')
    .select('time_zone')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new AppError('not_found', 'No such tenant.');
  const timeZone = query.timeZone ?? tenant.time_zone;
  if (!isTimeZone(timeZone))
    throw AppError.validation([{ path: 'timeZone', rule: 'time_zone', message: 'Not an IANA time zone name.' }]);
  const days = resolveRange(query.range, timeZone, deps.clock(), query.granularity);
  const tz = sql`${timeZone}::text`;
  const bounds = await sql<{ lo: Date; hi: Date }>`
    select (${days.from}::date)::timestamp at time zone ${tz} as lo, (${days.to}::date)::timestamp at time zone ${tz} as hi`.execute(
    deps.db.kysely,
  );
  const { lo, hi } = bounds.rows[0]!;

  // Marks left by writes since the last sweep are folded in first, so a query sees everything committed before it.
  await refreshRollups(deps.db.kysely, { tenantId });
  const read = (deps.readDb ?? deps.db).kysely;
  const keyIds = await resolveKeys(read, tenantId, query.filters.key);

  const groups = new Map<string, Group>();
  const group = (cells: (string | null)[]): Group => {
    const id = JSON.stringify(cells);
    let g = groups.get(id);
    if (!g) {
      g = { cells, sums: new Map(), statuses: new Map(), latency: new Map(), usage: 0 };
      groups.set(id, g);
    }
    return g;
  };
  const labelOf = plan.granularity ? (at: string) => LABEL[plan.granularity!](at, tz) : null;

  const rollupMetrics = [...new Set(plan.metrics.flatMap((m) => (m === 'usage' ? [] : ROLLUP_INPUTS[m])))];
  if (rollupMetrics.length > 0) {
    const dims = plan.dimensions.map((d) => (d === 'usage_kind' ? sql`''` : sql.raw(ROLLUP_COLUMN[d])));
    const filters: RawBuilder<unknown>[] = [];
    const f = query.filters;
    if (f.flow) filters.push(sql`and r.flow_id in (${sql.join(f.flow)})`);
    if (f.intent) filters.push(sql`and f.intent_name in (${sql.join(f.intent)})`);
    if (keyIds) filters.push(sql`and r.public_key_id in (${sql.join(keyIds)})`);
    if (f.page_type) filters.push(sql`and r.page_type in (${sql.join(f.page_type)})`);
    if (f.model) filters.push(sql`and r.model in (${sql.join(f.model)})`);
    const rows = await sql<{
      b: string | null;
      d: string[];
      metric: string;
      status: string;
      measure: number;
      v: string;
    }>`
      select ${labelOf ? labelOf('r.bucket') : sql`null`} as b,
        array[${dims.length > 0 ? sql.join(dims) : sql`''`}]::text[] as d,
        r.metric, r.status, r.measure, sum(r.value)::text as v
      from analytics_rollups r
      left join flows f on f.tenant_id = r.tenant_id and f.id::text = r.flow_id
      where r.tenant_id = ${tenantId}::uuid and r.bucket >= ${lo}::timestamptz and r.bucket < ${hi}::timestamptz
        and r.metric in (${sql.join(rollupMetrics)}) ${sql.join(filters, sql` `)}
      group by 1, 2, 3, 4, 5`.execute(read);
    for (const row of rows.rows) {
      const g = group(cellsOf(row.b, row.d, plan.dimensions.length));
      const v = Number(row.v);
      g.sums.set(row.metric, (g.sums.get(row.metric) ?? 0) + v);
      if (row.metric === 'executions') g.statuses.set(row.status, (g.statuses.get(row.status) ?? 0) + v);
      if (row.metric === 'turn_latency')
        g.latency.set(Number(row.measure), (g.latency.get(Number(row.measure)) ?? 0) + v);
    }
  }

  if (plan.metrics.includes('usage')) {
    // Usage counters are kept per UTC day: each day counts in the bucket holding its start.
    const dims = plan.dimensions.map((d) =>
      d === 'key' ? sql`u.public_key_id::text` : d === 'usage_kind' ? sql`u.kind` : sql`''`,
    );
    const at = `(u.day::timestamp at time zone 'UTC')`;
    const rows = await sql<{ b: string | null; d: string[]; v: string }>`
      select ${labelOf ? labelOf(at) : sql`null`} as b, array[${dims.length > 0 ? sql.join(dims) : sql`''`}]::text[] as d,
        sum(u.count)::text as v
      from usage_counters u join public_keys k on k.id = u.public_key_id
      where u.tenant_id = ${tenantId}::uuid and k.purpose <> 'test_pane'
        and ${sql.raw(at)} >= ${lo}::timestamptz and ${sql.raw(at)} < ${hi}::timestamptz
        ${keyIds ? sql`and u.public_key_id::text in (${sql.join(keyIds)})` : sql``}
      group by 1, 2`.execute(read);
    for (const row of rows.rows) group(cellsOf(row.b, row.d, plan.dimensions.length)).usage += Number(row.v);
  }

  // Without dimensions every bucket of the range gets a row (zeros), so a chart's time axis has no holes.
  if (plan.dimensions.length === 0) {
    if (labelOf) {
      const labels = await sql<{ b: string }>`
        select distinct ${labelOf('s')} as b from generate_series(${lo}::timestamptz, ${hi}::timestamptz - interval '15 minutes',
          interval '15 minutes') as s`.execute(deps.db.kysely);
      for (const { b } of labels.rows) group([b]);
    } else group([]);
  }

  const ordered = [...groups.values()].sort((a, b) => compareCells(a.cells, b.cells));
  return {
    columns: [
      ...(plan.granularity ? [{ name: 'bucket', kind: 'bucket' as const }] : []),
      ...plan.dimensions.map((name) => ({ name, kind: 'dimension' as const })),
      ...plan.metrics.map((name) => ({ name, kind: 'metric' as const })),
    ],
    rows: ordered.map((g) => [...g.cells, ...plan.metrics.map((m) => metricValue(m, g))]),
    timeZone,
    from: new Date(lo).toISOString(),
    to: new Date(hi).toISOString(),
    granularity: plan.granularity,
  };
}

function cellsOf(bucket: string | null, dims: string[], count: number): (string | null)[] {
  const values = dims.slice(0, count).map((v) => (v === '' ? null : v));
  return bucket === null ? values : [bucket, ...values];
}

function compareCells(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

function metricValue(metric: AnalyticsMetric, g: Group): number | null {
  const sum = (m: string) => g.sums.get(m) ?? 0;
  const status = (s: string) => g.statuses.get(s) ?? 0;
  switch (metric) {
    case 'usage':
      return g.usage;
    case 'executions_completed':
      return status('completed');
    case 'executions_failed':
      return status('failed');
    case 'executions_aborted':
      return status('aborted');
    case 'completion_rate':
      return ratio(status('completed'), sum('executions'));
    // Abandoned: the visitor left the flow (aborted, superseded or expired) or never answered its question.
    case 'abandonment_rate':
      return ratio(status('aborted') + status('waiting_input'), sum('executions'));
    case 'chat_conversion_rate':
      return ratio(sum('converted_conversations'), sum('conversations'));
    case 'median_turn_latency_ms':
      return median(g.latency);
    default:
      return sum(ROLLUP_INPUTS[metric][0]!);
  }
}

/** The median of values given as value → count (the mean of the two middle ones for an even count, like percentile_cont). */
export function median(counts: Map<number, number>): number | null {
  const entries = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (index: number): number => {
    let seen = 0;
    for (const [value, n] of entries) {
      seen += n;
      if (index < seen) return value;
    }
    return entries.at(-1)![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

/** Key filters take ids or pk_live_ values; values become ids (unknown ones match nothing). */
async function resolveKeys(
  db: Kysely<Database>,
  tenantId: string,
  keys: readonly string[] | undefined,
): Promise<string[] | undefined> {
  if (!keys) return undefined;
  const values = keys.filter((k) => k.startsWith('pk_'));
  const ids = keys.filter((k) => !k.startsWith('pk_'));
  if (values.length > 0) {
    const rows = await db
      .selectFrom('public_keys')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('key', 'in', values)
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids.length > 0 ? ids : ['none'];
}
