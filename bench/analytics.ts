// `npm run bench:analytics` — issue 21's figures: a 90-day dashboard query over 1 M executions and 5 M telemetry
// events answered from the rollups vs the same figures computed from the raw tables, in the same run (target < 10 %),
// and the chat-turn pair with rollup upkeep (the raw tables' triggers) on and off, in the same run.
// History is filled with SQL generate_series (bench/lib/history.ts, plus events here), never through the API.
import { parseArgs } from 'node:util';
import { sql as ksql } from 'kysely';
import { runAnalyticsQuery } from '../src/analytics/runAnalyticsQuery.js';
import { openPostgres } from '../src/db/openDatabase.js';
import type { AnalyticsQuery } from '../src/wire/analyticsSchemas.js';
import { type BackendName, createBackend } from './lib/backends.js';
import { dealOut, openSessions } from './lib/chatApi.js';
import { countExecutions, demoIds, fillHistory, openSql, type Sql } from './lib/history.js';
import type { LoadResult } from './lib/load.js';
import { machine, writeResults } from './lib/results.js';
import { runBench } from './lib/runBench.js';
import { type ScenarioContext, turnPairScenario } from './lib/scenarios.js';
import { buildProduct, runCli, startProduct } from './lib/servers.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The tables whose triggers keep the rollups current (migration 0021). */
const MARKED = [
  'sessions',
  'conversations',
  'chat_turns',
  'goal_hits',
  'llm_calls',
  'form_submissions',
  'executions',
  'conversions',
];

const DASHBOARD: AnalyticsQuery = {
  metrics: ['sessions', 'executions', 'completion_rate', 'abandonment_rate', 'messages'],
  dimensions: ['page_type'],
  filters: {},
  range: { preset: 'last_90_days' },
  granularity: 'day',
};

/**
 * The same figures from the raw tables, as a dashboard without rollups would compute them: page type = the first
 * `pageType` among the conversation's telemetry events, days in UTC, test sessions left out.
 */
const RAW = (tenantId: string) => `
  with page as (
    select distinct on (conversation_id) conversation_id, page_type from telemetry_events
    where tenant_id = '${tenantId}' and page_type is not null and conversation_id is not null
    order by conversation_id, occurred_at, id
  ), s as (
    select to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD') as b, p.page_type, count(*) as n
    from sessions s left join page p on p.conversation_id = s.conversation_id
    where s.tenant_id = '${tenantId}' and s.test_version_id is null and s.created_at >= now() - interval '90 days'
    group by 1, 2
  ), e as (
    select to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD') as b, p.page_type, count(*) as n,
      count(*) filter (where e.status = 'completed') as completed,
      count(*) filter (where e.status in ('aborted', 'waiting_input')) as abandoned
    from executions e left join page p on p.conversation_id = e.conversation_id
    where e.tenant_id = '${tenantId}' and not e.test and e.created_at >= now() - interval '90 days'
    group by 1, 2
  ), m as (
    select to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as b, p.page_type,
      sum((select count(*) from jsonb_array_elements(t.items) i where i->>'role' = 'user')) as n
    from chat_turns t left join page p on p.conversation_id = t.conversation_id
    where t.tenant_id = '${tenantId}' and t.created_at >= now() - interval '90 days'
    group by 1, 2
  )
  select coalesce(s.b, e.b, m.b) as b, coalesce(s.page_type, e.page_type, m.page_type) as page_type,
    s.n as sessions, e.n as executions, e.completed::float / nullif(e.n, 0) as completion_rate,
    e.abandoned::float / nullif(e.n, 0) as abandonment_rate, m.n as messages
  from s full join e on e.b = s.b and e.page_type is not distinct from s.page_type
  full join m on m.b = coalesce(s.b, e.b) and m.page_type is not distinct from coalesce(s.page_type, e.page_type)`;

/** Ten events per history conversation, the first a `widget_open` with one of four page types. */
async function fillEvents(sql: Sql, tenantId: string, keyId: string, target: number): Promise<number> {
  const chunk = 500_000;
  let done = Number((await sql.rows<{ n: string }>('select count(*) as n from telemetry_events'))[0]?.n ?? 0);
  while (done < target) {
    const n = Math.min(chunk, target - done);
    await sql.exec(`begin; set local session_replication_role = 'replica';
      insert into telemetry_events (id, tenant_id, type, public_key_id, session_id, conversation_id, page_type,
        properties, occurred_at, received_at)
      select gen_random_uuid(), '${tenantId}', case when k = 0 then 'widget_open' else 'page_view' end, '${keyId}',
        c.session_id, c.conversation_id,
        case when k = 0 then (array['product', 'cart', 'home', 'checkout'])[1 + (c.i % 4)] end,
        case when k = 0 then jsonb_build_object('pageType', (array['product', 'cart', 'home', 'checkout'])[1 + (c.i % 4)])
          else '{}'::jsonb end,
        c.created_at + k * interval '3 seconds', c.created_at + k * interval '3 seconds'
      from (select row_number() over (order by s.created_at) as i, s.id as session_id, s.conversation_id, s.created_at
            from sessions s order by s.created_at offset ${Math.floor(done / 10)} limit ${Math.ceil(n / 10)}) c
      cross join generate_series(0, 9) k;
      commit`);
    done = Number((await sql.rows<{ n: string }>('select count(*) as n from telemetry_events'))[0]?.n ?? 0);
    log(`    ${done.toLocaleString('en-US')} telemetry events`);
    if (n < chunk && done < target) break;
  }
  // The conversations' page types, as the events' trigger sets them when they arrive through the API.
  await sql.exec(`update conversations c set page_type = e.page_type from (
      select distinct on (conversation_id) conversation_id, page_type from telemetry_events
      where page_type is not null order by conversation_id, occurred_at, id) e
    where e.conversation_id = c.id and c.page_type is null`);
  await sql.exec('vacuum analyze telemetry_events, conversations');
  return done;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  return ms;
}

interface Args {
  backend: BackendName;
  executions: number;
  events: number;
  turns: number;
  runs: number;
  skipBuild: boolean;
}

function parse(): Args {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      backend: { type: 'string', default: 'postgres' },
      executions: { type: 'string', default: '1000000' },
      events: { type: 'string', default: '5000000' },
      turns: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '5' },
      'skip-build': { type: 'boolean', default: false },
    },
  });
  if (values.backend !== 'postgres') throw new Error('--backend=postgres: the 5 M-row fill is PostgreSQL only');
  return {
    backend: 'postgres',
    executions: Number(values.executions),
    events: Number(values.events),
    turns: Number(values.turns),
    runs: Number(values.runs),
    skipBuild: values['skip-build'],
  };
}

async function turnPass(
  env: Record<string, string>,
  publicKey: string,
  database: string | undefined,
  turns: number,
): Promise<LoadResult> {
  const server = await startProduct(env);
  try {
    const c = 10;
    const ctx: ScenarioContext = {
      server,
      ...(database ? { database } : {}),
      publicKey,
      timing: { connections: c, duration: 0, warmup: 0, quietWaitMs: 5000 },
      log,
    };
    const sessions = dealOut(await openSessions(server.url, publicKey, c * 10, c), c);
    const requests = (n: number) => Math.max(1, Math.ceil(n / c)) * c * 2;
    return (await turnPairScenario(ctx, sessions, { amount: requests(turns), warmupAmount: requests(turns / 4) }))
      .load!;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const args = parse();
  if (!args.skipBuild) buildProduct();
  const backend = await createBackend(args.backend);
  const lines: string[] = [];
  const json: Record<string, unknown> = { date: new Date().toISOString(), machine: machine(), args };
  try {
    const publicKey = runCli(['demo:seed'], backend.productEnv);
    const sql = await openSql(backend);
    const ids = await demoIds(sql);
    // 90 days back from an hour ago: executions 7.8 s apart (1 M over 90 days).
    const spacing = Math.floor((90 * 86_400_000) / args.executions);
    log(`filling ${args.executions.toLocaleString('en-US')} executions (${spacing} ms apart)`);
    const fill = await fillHistory(sql, ids, { from: 0, to: args.executions }, Date.now() - 3_600_000, 3_600_000, log);
    // fillHistory spaces executions 2 s apart; stretch them over 90 days (same order, same shapes).
    await sql.exec(`begin; set local session_replication_role = 'replica';
      update executions set created_at = now() - interval '1 hour' - (now() - interval '1 hour' - created_at) * ${spacing / 2000},
        updated_at = now() - interval '1 hour' - (now() - interval '1 hour' - updated_at) * ${spacing / 2000};
      update chat_turns set created_at = now() - interval '1 hour' - (now() - interval '1 hour' - created_at) * ${spacing / 2000};
      update sessions set created_at = now() - interval '1 hour' - (now() - interval '1 hour' - created_at) * ${spacing / 2000};
      update conversations set created_at = now() - interval '1 hour' - (now() - interval '1 hour' - created_at) * ${spacing / 2000};
      commit`);
    await sql.exec('vacuum analyze executions, chat_turns, sessions, conversations');
    const events = await fillEvents(sql, ids.tenantId, ids.keyId, args.events);
    const executions = await countExecutions(sql);
    const started = performance.now();
    runCli(['analytics:rebuild'], backend.productEnv);
    const rebuildMs = performance.now() - started;
    const rollupRows = Number((await sql.rows<{ n: string }>('select count(*) as n from analytics_rollups'))[0]?.n);
    await sql.exec('vacuum analyze analytics_rollups');
    log(`rebuilt ${rollupRows.toLocaleString('en-US')} rollup rows in ${(rebuildMs / 1000).toFixed(1)} s`);

    const db = await openPostgres(backend.databaseUrl!, { max: 2 });
    const deps = { db, clock: () => new Date() };
    // One untimed run of each (plans, caches), then alternate so drift hits both alike.
    await runAnalyticsQuery(deps, ids.tenantId, DASHBOARD);
    await ksql.raw(RAW(ids.tenantId)).execute(db.kysely);
    const rollupMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      rollupMs.push(...(await timed(() => runAnalyticsQuery(deps, ids.tenantId, DASHBOARD), 1)));
      rawMs.push(...(await timed(() => ksql.raw(RAW(ids.tenantId)).execute(db.kysely), 1)));
    }
    await db.close();
    const ratio = median(rollupMs) / median(rawMs);
    json.query = { executions, events, rollupRows, rebuildMs, rollupMs, rawMs, ratio };

    // Chat turns with the rollup upkeep on and off, alternated (on, off, on, off) on the same database.
    const passes: { upkeep: 'on' | 'off'; load: LoadResult }[] = [];
    for (const upkeep of ['on', 'off', 'on', 'off'] as const) {
      const action = upkeep === 'on' ? 'enable' : 'disable';
      for (const table of MARKED) await sql.exec(`alter table ${table} ${action} trigger analytics_mark`);
      await sql.exec(`alter table telemetry_events ${action} trigger analytics_page_type`);
      log(`turn pairs, rollup upkeep ${upkeep}`);
      passes.push({ upkeep, load: await turnPass(backend.productEnv, publicKey, backend.database, args.turns) });
    }
    for (const table of MARKED) await sql.exec(`alter table ${table} enable trigger analytics_mark`);
    await sql.exec('alter table telemetry_events enable trigger analytics_page_type');
    const pending = Number((await sql.rows<{ n: string }>('select count(*) as n from analytics_dirty'))[0]?.n);
    await sql.close();
    json.turns = passes.map((p) => ({
      upkeep: p.upkeep,
      rps: p.load.rps,
      turn: p.load.groupLatency,
      proc: p.load.proc,
    }));

    const fmt = (xs: number[]) =>
      `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
    lines.push(
      `## analytics — ${args.backend}, ${new Date().toISOString()}`,
      '',
      `History: ${executions.toLocaleString('en-US')} executions over 90 days (${fill.reached.toLocaleString('en-US')} filled), ${events.toLocaleString('en-US')} telemetry events; ` +
        `rollups rebuilt in ${(rebuildMs / 1000).toFixed(1)} s (${rollupRows.toLocaleString('en-US')} rows). Node ${process.version}.`,
      '',
      'Dashboard: sessions, executions, completion and abandonment rates, messages by page type per day, last 90 days.',
      '',
      `| source | ms, median (lowest–highest) of ${args.runs} |`,
      '| --- | --- |',
      `| rollups (runAnalyticsQuery) | ${fmt(rollupMs)} |`,
      `| raw tables (same figures in SQL) | ${fmt(rawMs)} |`,
      '',
      `- ${ratio < 0.1 ? 'PASS' : 'FAIL'} — rollups ÷ raw = ${(ratio * 100).toFixed(2)} % (target < 10 %)`,
      '',
      `Turn pairs (trigger → waiting_input, resume → completed), 10 connections, ${args.turns} turns per pass, upkeep alternated:`,
      '',
      '| rollup upkeep | turns/s | turn p50 ms | turn p99 ms | server CPU % | DB CPU % | other CPU % |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...passes.map(
        (p) =>
          `| ${p.upkeep} | ${Math.round(p.load.rps / 2)} | ${p.load.groupLatency?.p50} | ${p.load.groupLatency?.p99} | ${p.load.proc?.cpuPercent ?? '–'} | ${p.load.proc?.dbCpuPercent ?? '–'} | ${p.load.proc?.otherCpuPercent ?? '–'} |`,
      ),
      '',
      `Marks left for the sweep after the passes (no worker ran): ${pending.toLocaleString('en-US')}.`,
    );
    const markdown = lines.join('\n');
    process.stdout.write(`\n${markdown}\n\n`);
    log(`wrote ${writeResults(`${args.backend}-analytics`, json, markdown).join(', ')}`);
  } finally {
    await backend.dispose();
  }
}

runBench(main);
