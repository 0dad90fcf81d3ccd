import { type RawBuilder, sql } from 'kysely';

/** The rollup bucket of a timestamp: 15 minutes, aligned in UTC (whole buckets in every IANA zone's days). */
export const BUCKET = sql.raw(`interval '15 minutes'`);
const bin = (column: string) => sql.raw(`date_bin('15 minutes', ${column}, timestamptz '2000-01-01 00:00:00+00')`);

/**
 * One family of rollup metrics and how to compute its rows from the raw tables over the windows `w` (a CTE of
 * tenant_id, lo, hi: rows with lo <= time < hi). `thinned`: its raw rows are removed by retention, so only windows
 * wholly inside the retention period may be recomputed (older rollup rows are the only count left).
 * Every select yields: tenant_id, bucket, metric, flow_id, public_key_id, page_type, model, status, currency,
 * measure, value. Test sessions are left out everywhere: executions of the test pane (`executions.test`) and anything
 * of the test pane's key (`public_keys.purpose = 'test_pane'`).
 */
export interface RollupFamily {
  name: string;
  metrics: readonly string[];
  thinned: boolean;
  select: RawBuilder<unknown>;
}

const notTestKey = sql.raw(`(k.purpose is null or k.purpose <> 'test_pane')`);

export const ROLLUP_FAMILIES: readonly RollupFamily[] = [
  {
    name: 'sessions',
    metrics: ['sessions'],
    thinned: false,
    select: sql`
      select s.tenant_id, ${bin('s.created_at')} as bucket, 'sessions' as metric, '' as flow_id,
        s.public_key_id::text as public_key_id, coalesce(c.page_type, '') as page_type, '' as model, '' as status,
        '' as currency, 0::bigint as measure, count(*)::bigint as value
      from w join sessions s on s.tenant_id = w.tenant_id and s.created_at >= w.lo and s.created_at < w.hi
      join conversations c on c.id = s.conversation_id
      join public_keys k on k.id = s.public_key_id
      where s.test_version_id is null and ${notTestKey}
      group by 1, 2, 5, 6`,
  },
  {
    // A conversation converted when any conversion is attributed to it; it counts in the bucket it started in.
    name: 'conversations',
    metrics: ['conversations', 'converted_conversations'],
    thinned: false,
    select: sql`
      select c.tenant_id, ${bin('c.created_at')} as bucket, m.metric, '' as flow_id,
        c.public_key_id::text as public_key_id, coalesce(c.page_type, '') as page_type, '' as model, '' as status,
        '' as currency, 0::bigint as measure, sum(m.n)::bigint as value
      from w join conversations c on c.tenant_id = w.tenant_id and c.created_at >= w.lo and c.created_at < w.hi
      join public_keys k on k.id = c.public_key_id
      cross join lateral (values ('conversations', 1), ('converted_conversations',
        case when exists (select 1 from conversions v where v.conversation_id = c.id and v.tenant_id = c.tenant_id)
        then 1 else 0 end)) as m(metric, n)
      where ${notTestKey}
      group by 1, 2, 3, 5, 6
      having sum(m.n) > 0`,
  },
  {
    // Transcript rows: a turn, the visitor's messages in it, and its engine time (for the median).
    name: 'turns',
    metrics: ['turns', 'messages', 'turn_latency'],
    thinned: true,
    select: sql`
      select t.tenant_id, ${bin('t.created_at')} as bucket, m.metric, coalesce(e.flow_id::text, '') as flow_id,
        c.public_key_id::text as public_key_id, coalesce(c.page_type, '') as page_type, '' as model, '' as status,
        '' as currency, m.measure, sum(m.n)::bigint as value
      from w join chat_turns t on t.tenant_id = w.tenant_id and t.created_at >= w.lo and t.created_at < w.hi
      join conversations c on c.id = t.conversation_id
      join public_keys k on k.id = c.public_key_id
      left join executions e on e.id = t.execution_id
      cross join lateral (values
        ('turns', 0::bigint, 1::bigint),
        ('messages', 0::bigint,
          (select count(*) from jsonb_array_elements(t.items) i where i->>'role' = 'user')::bigint),
        ('turn_latency', coalesce(t.duration_ms, 0)::bigint, case when t.duration_ms is null then 0 else 1 end::bigint)
      ) as m(metric, measure, n)
      where (e.test is null or not e.test) and ${notTestKey}
      group by 1, 2, 3, 4, 5, 6, 10
      having sum(m.n) > 0`,
  },
  {
    // An execution counts in the bucket it started in, under its current status.
    name: 'executions',
    metrics: ['executions'],
    thinned: false,
    select: sql`
      select e.tenant_id, ${bin('e.created_at')} as bucket, 'executions' as metric, e.flow_id::text as flow_id,
        c.public_key_id::text as public_key_id, coalesce(c.page_type, '') as page_type, '' as model,
        e.status, '' as currency, 0::bigint as measure, count(*)::bigint as value
      from w join executions e on e.tenant_id = w.tenant_id and e.created_at >= w.lo and e.created_at < w.hi
      join conversations c on c.id = e.conversation_id
      join public_keys k on k.id = c.public_key_id
      where not e.test and ${notTestKey}
      group by 1, 2, 4, 5, 6, 8`,
  },
  {
    name: 'goals',
    metrics: ['goal_completions'],
    thinned: false,
    select: sql`
      select g.tenant_id, ${bin('g.created_at')} as bucket, 'goal_completions' as metric,
        coalesce(e.flow_id::text, '') as flow_id, coalesce(c.public_key_id::text, '') as public_key_id,
        coalesce(c.page_type, '') as page_type, '' as model, '' as status, '' as currency, 0::bigint as measure,
        count(*)::bigint as value
      from w join goal_hits g on g.tenant_id = w.tenant_id and g.created_at >= w.lo and g.created_at < w.hi
      left join executions e on e.id = g.execution_id
      left join conversations c on c.id = g.conversation_id
      left join public_keys k on k.id = c.public_key_id
      where (e.test is null or not e.test) and ${notTestKey}
      group by 1, 2, 4, 5, 6`,
  },
  {
    // Conversions where they occurred, credited to the flow of the conversation they were attributed to (if any).
    name: 'conversions',
    metrics: ['conversions', 'revenue'],
    thinned: false,
    select: sql`
      select v.tenant_id, ${bin('v.occurred_at')} as bucket, m.metric, coalesce(v.flow_id::text, '') as flow_id,
        coalesce(c.public_key_id::text, '') as public_key_id, coalesce(c.page_type, '') as page_type, '' as model,
        '' as status, v.currency, 0::bigint as measure, sum(m.n)::bigint as value
      from w join conversions v on v.tenant_id = w.tenant_id and v.occurred_at >= w.lo and v.occurred_at < w.hi
      left join conversations c on c.id = v.conversation_id
      left join public_keys k on k.id = c.public_key_id
      cross join lateral (values ('conversions', 1::bigint), ('revenue', v.amount_minor::bigint)) as m(metric, n)
      where ${notTestKey}
      group by 1, 2, 3, 4, 5, 6, 9`,
  },
  {
    name: 'llm',
    metrics: ['llm_calls', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros'],
    thinned: false,
    select: sql`
      select l.tenant_id, ${bin('l.created_at')} as bucket, m.metric, l.flow_id::text as flow_id,
        c.public_key_id::text as public_key_id, coalesce(c.page_type, '') as page_type, l.model, '' as status,
        '' as currency, 0::bigint as measure, sum(m.n)::bigint as value
      from w join llm_calls l on l.tenant_id = w.tenant_id and l.created_at >= w.lo and l.created_at < w.hi
      join executions e on e.id = l.execution_id
      join conversations c on c.id = e.conversation_id
      join public_keys k on k.id = c.public_key_id
      cross join lateral (values ('llm_calls', 1::bigint), ('prompt_tokens', l.prompt_tokens::bigint),
        ('completion_tokens', l.completion_tokens::bigint), ('total_tokens', l.total_tokens::bigint),
        ('cost_micros', l.cost_micros::bigint)) as m(metric, n)
      where not e.test and ${notTestKey}
      group by 1, 2, 3, 4, 5, 6, 7`,
  },
  {
    name: 'forms',
    metrics: ['form_submissions'],
    thinned: false,
    select: sql`
      select f.tenant_id, ${bin('f.created_at')} as bucket, 'form_submissions' as metric, '' as flow_id,
        f.public_key_id::text as public_key_id, '' as page_type, '' as model, '' as status, '' as currency,
        0::bigint as measure, count(*)::bigint as value
      from w join form_submissions f on f.tenant_id = w.tenant_id and f.created_at >= w.lo and f.created_at < w.hi
      group by 1, 2, 5`,
  },
];
