import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Backend } from './backends.js';

// Bulk history for `npm run bench:growth`: executions with their conversations, sessions and transcript rows, in
// the shapes the API writes for the demo's order_status flow (src/db/migrations/0001_init.ts, and rows captured from
// a real trigger + resume), filled with INSERT … SELECT generate_series — never through the API, which would take
// hours for 1 M executions.

/** Plain SQL on the bench database, from the bench process; on PGlite only while the server is stopped. */
export interface Sql {
  exec(text: string): Promise<void>;
  rows<T>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function openSql(backend: Backend): Promise<Sql> {
  if (backend.databaseUrl) {
    const client = new pg.Client({ connectionString: backend.databaseUrl });
    await client.connect();
    return {
      exec: async (text) => {
        await client.query(text);
      },
      rows: async <T>(text: string) => (await client.query(text)).rows as T[],
      close: () => client.end(),
    };
  }
  // The product's server must be stopped: PGlite has no lock of its own and two writers corrupt the directory.
  const lite = await PGlite.create({ dataDir: backend.pgliteDir! });
  return {
    exec: async (text) => {
      await lite.exec(text);
    },
    rows: async <T>(text: string) => (await lite.query<T>(text)).rows,
    close: () => lite.close(),
  };
}

export interface DemoIds {
  tenantId: string;
  keyId: string;
  flowId: string;
  versionId: string;
}

/** The demo tenant's ids, created by `comerix demo:seed`; every history row belongs to them. */
export async function demoIds(sql: Sql): Promise<DemoIds> {
  const [row] = await sql.rows<DemoIds>(`
    select t.id as "tenantId", k.id as "keyId", f.id as "flowId", f.published_version_id as "versionId"
    from tenants t
    join public_keys k on k.tenant_id = t.id and k.status = 'active'
    join flows f on f.tenant_id = t.id and f.intent_name = 'order_status'
    where t.slug = 'demo'
    limit 1`);
  if (!row?.versionId) throw new Error('no demo tenant with a published order_status flow: run demo:seed first');
  return row;
}

export async function countExecutions(sql: Sql): Promise<number> {
  const [row] = await sql.rows<{ n: string | number }>('select count(*) as n from executions');
  return Number(row?.n ?? 0);
}

/**
 * Shapes, per history execution g (0-based, two per conversation c = g / 2):
 * - 85 % completed (trigger → ask → resume → shipped → end: 2 transcript rows, its wait consumed);
 * - 10 % aborted as superseded — the older execution of its conversation (1 transcript row, the wait it was aborted on);
 * - 5 % still waiting_input — the newer one of its conversation (1 transcript row, an open wait).
 * Ids are uuidv7-shaped (a millisecond timestamp, then hash bits), as the app's uuidv7() makes them, so the
 * primary-key indexes grow the way they do in production: executions are 2 s apart, going back in time from `baseMs`
 * (1 M executions ≈ 23 days of history), all older than anything the API writes during the bench.
 */
function fillStatements(ids: DemoIds, from: number, to: number, baseMs: number): string[] {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const T = `${lit(ids.tenantId)}::uuid`;
  const uuid = (tag: string, ms: string, index: string) =>
    `(lpad(to_hex((${ms})::bigint), 12, '0') || '7' || substr(md5('${tag}' || (${index})::text), 1, 19))::uuid`;
  const execMs = (g: string) => `${baseMs} - (${g}) * 2000`;
  // A conversation (and its session) starts 1 s before its older execution.
  const convMs = (c: string) => `${baseMs} - (2 * (${c}) + 1) * 2000 - 1000`;
  const at = (ms: string) => `to_timestamp((${ms}) / 1000.0)`;
  const fields = `'[{"name": "order_number", "type": "text", "label": "Order number", "pattern": "^[0-9]{3,10}$", "required": true}]'::jsonb`;

  // One row per execution with everything the inserts below derive from it.
  const executions = `(
    select g, c, ${uuid('e', execMs('g'), 'g')} as id, ${uuid('w', execMs('g'), 'g')} as wait_id,
      ${uuid('c', convMs('c'), 'c')} as conversation_id, ${uuid('s', convMs('c'), 'c')} as session_id,
      ${at(execMs('g'))} as created, ${at(`${execMs('g')} + 5000`)} as done,
      case when g % 20 = 0 then 'waiting_input' when g % 20 in (1, 3) then 'aborted' else 'completed' end as st
    from (select g, g / 2 as c from generate_series(${from}::bigint, ${to - 1}::bigint) g) s
  ) x`;

  return [
    `insert into conversations (id, tenant_id, public_key_id, customer_id, variables, created_at, updated_at)
     select ${uuid('c', convMs('c'), 'c')}, ${T}, ${lit(ids.keyId)}, 'customer-' || (c % 100000), '{}',
       ${at(convMs('c'))}, ${at(convMs('c'))}
     from generate_series(${from / 2}::bigint, ${to / 2 - 1}::bigint) c`,

    `insert into sessions (id, tenant_id, public_key_id, conversation_id, customer_id, origin, locale, expires_at, created_at)
     select ${uuid('s', convMs('c'), 'c')}, ${T}, ${lit(ids.keyId)}, ${uuid('c', convMs('c'), 'c')},
       'customer-' || (c % 100000), 'http://localhost:3000', null,
       ${at(convMs('c'))} + interval '1 day', ${at(convMs('c'))}
     from generate_series(${from / 2}::bigint, ${to / 2 - 1}::bigint) c`,

    `insert into executions (id, tenant_id, conversation_id, session_id, flow_id, flow_version_id, intent_name, status,
       version, state, last_seq, wait_id, wait_kind, wait_node_id, wait_fields, wait_submit_label, wait_expires_at,
       error, reason, trace, created_at, updated_at, ended_at)
     select id, ${T}, conversation_id, session_id, ${lit(ids.flowId)}, ${lit(ids.versionId)}, 'order_status', st,
       case st when 'waiting_input' then 1 else 2 end,
       case st when 'completed' then '{"vars": {"order_number": "12345"}, "steps": 5, "position": null}'::jsonb
         else '{"vars": {}, "steps": 2, "position": "ask_number"}'::jsonb end,
       case st when 'completed' then 3 else 2 end,
       -- A resumed execution consumed its wait; a superseded one keeps the wait it was aborted on.
       case st when 'completed' then null else wait_id end,
       case st when 'completed' then null else 'input' end,
       case st when 'completed' then null else 'ask_number' end,
       case st when 'completed' then null else ${fields} end,
       case st when 'completed' then null else 'Check' end,
       case st when 'completed' then null else created + interval '1 day' end,
       null,
       case st when 'aborted' then 'superseded' end,
       case st when 'completed' then '[{"type": "message", "nodeId": "greet"}, {"type": "ask", "nodeId": "ask_number"}, {"type": "ask", "nodeId": "ask_number"}, {"port": "true", "type": "condition", "nodeId": "known"}, {"type": "message", "nodeId": "shipped"}, {"type": "end", "nodeId": "done"}]'::jsonb
         else '[{"type": "message", "nodeId": "greet"}, {"type": "ask", "nodeId": "ask_number"}]'::jsonb end,
       created,
       case st when 'waiting_input' then created else done end,
       case st when 'waiting_input' then null else done end
     from ${executions}`,

    `insert into chat_turns (tenant_id, conversation_id, execution_id, first_seq, last_seq, items, created_at)
     select ${T}, x.conversation_id, x.id, v.first_seq, v.last_seq, v.items, v.ts
     from ${executions}
     cross join lateral (values
       (1, 1, 2, jsonb_build_array(
          jsonb_build_object('role', 'user', 'body', jsonb_build_object('type', 'trigger', 'intentName', 'order_status', 'text', 'hi')),
          jsonb_build_object('role', 'bot', 'seq', 1, 'body', jsonb_build_object('id', x.id::text || '.1', 'type', 'text', 'text', 'Let me check that for you.')),
          jsonb_build_object('role', 'bot', 'seq', 2, 'body', jsonb_build_object('id', x.id::text || '.2', 'type', 'form', 'fields', ${fields}, 'submitLabel', 'Check'))),
        x.created),
       (2, 3, 3, jsonb_build_array(
          jsonb_build_object('role', 'user', 'body', jsonb_build_object('type', 'values', 'nodeId', 'ask_number', 'values', jsonb_build_object('order_number', '12345'))),
          jsonb_build_object('role', 'bot', 'seq', 3, 'body', jsonb_build_object('id', x.id::text || '.3', 'type', 'markdown', 'text', 'Order **12345** has shipped.'))),
        x.done)
     ) v(k, first_seq, last_seq, items, ts)
     where v.k = 1 or x.st = 'completed'
     order by x.g, v.k`,
  ];
}

/** Rows of history added per transaction: big enough to be fast, small enough to check the time budget often. */
const CHUNK = 50_000;

/**
 * Adds history executions [from, to) (both even) in chunks, then VACUUM ANALYZE so the planner sees the new sizes,
 * as autovacuum would on a database that grew slowly. Stops early (returns the index reached) once `budgetMs` is
 * spent, so a slow backend never blows the run's time limit.
 */
export async function fillHistory(
  sql: Sql,
  ids: DemoIds,
  range: { from: number; to: number },
  baseMs: number,
  budgetMs: number,
  log: (line: string) => void,
): Promise<{ reached: number; fillMs: number; vacuumMs: number }> {
  const started = Date.now();
  let at = range.from;
  while (at < range.to) {
    if (Date.now() - started > budgetMs) {
      log(`    fill budget of ${Math.round(budgetMs / 1000)} s spent at ${at.toLocaleString('en-US')} executions`);
      break;
    }
    const end = Math.min(range.to, at + CHUNK);
    const statements = fillStatements(ids, at, end, baseMs);
    // Foreign-key triggers off for the fill (replica role, this session only): the rows reference each other by
    // construction, and per-row FK lookups would double the fill time. Indexes are maintained as usual.
    await sql.exec(['begin', "set local session_replication_role = 'replica'", ...statements, 'commit'].join(';\n'));
    at = end;
    const seconds = (Date.now() - started) / 1000;
    log(`    ${at.toLocaleString('en-US')} history executions (${seconds.toFixed(0)} s)`);
  }
  const fillMs = Date.now() - started;
  const vacuumStarted = Date.now();
  await sql.exec('vacuum analyze conversations, sessions, executions, chat_turns');
  return { reached: at, fillMs, vacuumMs: Date.now() - vacuumStarted };
}
