/**
 * Job latency benchmark (DESIGN §17: pickup p50 ≤ 20 ms on PostgreSQL; a poller sees the transition ≤ 50 ms after
 * the job finishes). Two measurements per backend:
 *  A. queue pickup: a job committed → its handler starts (in-process queue, sequential jobs);
 *  B. job end → long poll return, with real processes: on PostgreSQL an API process and a separate worker process
 *     (the poll is woken through LISTEN/NOTIFY); on PGlite the one embedded server.
 * Usage: npx tsx bench/jobLatency.ts [--backend=postgres|pglite|both] [--jobs=200] [--polls=40]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { type Db, openPglite, openPostgres } from '../src/db/openDatabase.js';
import { GraphileJobQueue } from '../src/jobs/GraphileJobQueue.js';
import type { JobQueue } from '../src/jobs/JobQueue.js';
import { TableJobQueue } from '../src/jobs/TableJobQueue.js';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const backends = (args.backend ?? 'both') === 'both' ? ['postgres', 'pglite'] : [args.backend!];
const JOBS = Number(args.jobs ?? 200);
const POLLS = Number(args.polls ?? 40);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const fmt = (n: number) => n.toFixed(1);

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `comerix_bench_jobs_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** A: committed enqueue → handler start, one job at a time (the clock starts when the commit returns). */
async function queuePickupMeasured(db: Db, queue: JobQueue): Promise<number[]> {
  const latencies: number[] = [];
  let committedAt = 0;
  let resolveRun: (() => void) | undefined;
  await queue.start(
    {
      ping: async () => {
        latencies.push(performance.now() - committedAt);
        resolveRun?.();
      },
    },
    { concurrency: 2 },
  );
  // Warm-up: the first jobs pay for connections and prepared statements.
  for (let i = 0; i < JOBS + 10; i++) {
    const ran = new Promise<void>((resolve) => {
      resolveRun = resolve;
    });
    await db.kysely.transaction().execute((trx) => queue.enqueue(trx, { task: 'ping', payload: { i } }));
    committedAt = performance.now();
    queue.wake();
    await ran;
    if (i < 10) latencies.length = 0;
  }
  await queue.stop();
  return latencies;
}

const TASKS = `
import { appendFileSync } from 'node:fs';
export async function bench_job(input, ctx) {
  appendFileSync(process.env.BENCH_TASK_LOG, ctx.executionId + ' ' + Date.now() + '\\n');
  return { ok: true };
}
`;

function cli(env: NodeJS.ProcessEnv, ...command: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'dist', 'main.js'), ...command], { env, encoding: 'utf8' }).trim();
}

async function waitReady(p: ChildProcess, out: () => string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const m = /Comerix is running at (\S+)/.exec(out());
    if (m) return m[1]!;
    if (p.exitCode !== null) throw new Error(`server exited: ${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

function start(env: NodeJS.ProcessEnv, command: string): { p: ChildProcess; out: () => string } {
  const p = spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), command], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  p.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { p, out: () => out };
}

/** B: job end (task handler returns) → long poll returns, through real processes. */
async function pollAfterJob(backend: string, url: string | undefined): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'comerix-bench-jobs-'));
  mkdirSync(join(dir, 'data'));
  const taskLog = join(dir, 'task.log');
  writeFileSync(join(dir, 'tasks.mjs'), TASKS);
  writeFileSync(
    join(dir, 'flow.json'),
    JSON.stringify({
      intent: { name: 'bench_job', description: 'bench', examples: [], required_entities: [] },
      start: 'job',
      nodes: [
        { id: 'job', type: 'task', task: 'bench_job' },
        { id: 'done', type: 'message', blocks: [{ type: 'text', text: 'done' }] },
      ],
      edges: [{ from: 'job', to: 'done' }],
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    COMERIX_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
    PORT: '0',
    COMERIX_DEMO: 'off',
    COMERIX_TASKS_MODULE: join(dir, 'tasks.mjs'),
    BENCH_TASK_LOG: taskLog,
    ...(url ? { DATABASE_URL: url, COMERIX_MASTER_KEY: 'd'.repeat(64) } : {}),
  };
  const procs: ChildProcess[] = [];
  try {
    cli(env, 'demo:seed');
    cli(env, 'flow:import', '--tenant=demo', `--file=${join(dir, 'flow.json')}`, '--publish');
    const key = cli(
      env,
      'widget-key:create',
      '--tenant=demo',
      '--label=bench',
      '--origin=http://localhost:3000',
      '--intent=bench_job',
    );
    const api = start(env, 'serve');
    procs.push(api.p);
    const base = await waitReady(api.p, api.out);
    if (backend === 'postgres') procs.push(start(env, 'worker').p);
    const headers = { origin: 'http://localhost:3000', 'content-type': 'application/json' };
    const session = (await (
      await fetch(`${base}/api/public/v1/chat/sessions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ publicKey: key, customerId: 'bench' }),
      })
    ).json()) as { sessionToken: string };
    const auth = { ...headers, authorization: `Bearer ${session.sessionToken}` };
    const latencies: number[] = [];
    for (let i = 0; i < POLLS + 5; i++) {
      const turn = (await (
        await fetch(`${base}/api/public/v1/chat/messages`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ intentName: 'bench_job' }),
        })
      ).json()) as { executionId: string; cursor: string; status: string };
      let status = turn.status;
      let cursor = turn.cursor;
      let returnedAt = 0;
      while (status === 'waiting_time') {
        const poll = (await (
          await fetch(`${base}/api/public/v1/chat/executions/${turn.executionId}?after=${cursor}&waitSeconds=10`, {
            headers: auth,
          })
        ).json()) as { status: string; cursor: string };
        returnedAt = Date.now();
        status = poll.status;
        cursor = poll.cursor;
      }
      const ended = readFileSync(taskLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .find(([id]) => id === turn.executionId);
      if (i >= 5 && ended && returnedAt) latencies.push(returnedAt - Number(ended[1]));
    }
    return latencies;
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  for (const backend of backends) {
    const run = async (url?: string) => {
      const db = url ? await openPostgres(url) : await openPglite();
      await migrate(db.kysely);
      const queue: JobQueue = url ? new GraphileJobQueue(url, db.kysely) : new TableJobQueue(db.kysely);
      await queue.prepare();
      const pickup = await queuePickupMeasured(db, queue);
      await db.close();
      const poll = await pollAfterJob(backend, url);
      results[backend] = { pickupMs: pickup, jobEndToPollMs: poll };
      rows.push(
        `| ${backend} | ${url ? 'graphile-worker' : 'jobs table'} | ${fmt(pct(pickup, 50))} | ${fmt(pct(pickup, 99))} | ${fmt(pct(poll, 50))} | ${fmt(pct(poll, 99))} |`,
      );
    };
    if (backend === 'postgres') await withDatabase(run);
    else await run();
  }
  const table = [
    `Job latency (${JOBS} sequential jobs; ${POLLS} long polls), ms`,
    '',
    '| backend | queue | pickup p50 | pickup p99 | job end → poll p50 | job end → poll p99 |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Targets (DESIGN §17, PostgreSQL): pickup p50 ≤ 20 ms; job end → poll ≤ 50 ms. Job end → poll has 1 ms resolution (Date.now across processes).',
  ].join('\n');
  console.log(`\n${table}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(join(ROOT, 'bench', 'results', `${date}-jobs.md`), `${table}\n`);
  writeFileSync(join(ROOT, 'bench', 'results', `${date}-jobs.json`), JSON.stringify(results, null, 2));
}

await main();
process.exit(0);
