// `npm run bench:sustained` — the embedded mode under sustained load (issue 26, DESIGN §17): the chat turn pair
// (trigger → waiting_input, resume → completed) at full speed for a long run, reporting the longest stall (the
// longest time in which no response completed at all) and the throughput drift between the first and the last
// minute, each against the ceiling (bench/ceiling.ts) measured on the same store just before and just after.
//
//   npm run bench:sustained                                  # PGlite, 10 minutes
//   npm run bench:sustained -- --duration=90 --skip-build    # a short look
//   npm run bench:sustained -- --backend=postgres
//
// Targets (issue 26): no stall above 200 ms; the last minute's throughput within 15 % of the first's.
import { performance } from 'node:perf_hooks';
import { type BackendName, createBackend } from './lib/backends.js';
import { dealOut, openSessions, resumeRequest, rotate, triggerRequest, type WaitingExecution } from './lib/chatApi.js';
import { type LoadResult, runLoad } from './lib/load.js';
import { machine, writeResults } from './lib/results.js';
import { runBench } from './lib/runBench.js';
import { buildCeiling, buildProduct, runCli, startCeiling, startProduct } from './lib/servers.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Args {
  backend: BackendName;
  duration: number;
  window: number;
  connections: number;
  ceilingSeconds: number;
  skipBuild: boolean;
  /** Extra node flags for the product server (e.g. --trace-gc --trace-gc-ignore-scavenger). */
  serverNodeArgs: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    backend: 'pglite',
    duration: 600,
    window: 10,
    connections: 50,
    ceilingSeconds: 10,
    skipBuild: false,
    serverNodeArgs: [],
  };
  for (const arg of argv) {
    const [key, ...rest] = arg.replace(/^--/, '').split('=') as [string, ...string[]];
    const value = rest.length > 0 ? rest.join('=') : undefined;
    const number = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} needs a positive number`);
      return n;
    };
    if (key === 'backend' && (value === 'pglite' || value === 'postgres')) args.backend = value;
    else if (key === 'duration') args.duration = number();
    else if (key === 'window') args.window = number();
    else if (key === 'connections') args.connections = Math.round(number());
    else if (key === 'ceiling-seconds') args.ceilingSeconds = number();
    else if (key === 'skip-build') args.skipBuild = true;
    else if (key === 'server-node-args') args.serverNodeArgs = (value ?? '').split(' ').filter(Boolean);
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
}

/** Completion times (ms since the start) → the longest gap with none, and requests per second per window. */
function timeline(completions: Float64Array, count: number, seconds: number, windowSeconds: number) {
  let longestGap = 0;
  let gapEndsAt = 0;
  let previous = 0;
  // Whole windows only: the tail after the last one holds the requests still in flight when the run stopped.
  const windows = new Array<number>(Math.max(1, Math.floor(seconds / windowSeconds))).fill(0);
  for (let i = 0; i < count; i++) {
    const at = completions[i]!;
    if (at - previous > longestGap) {
      longestGap = at - previous;
      gapEndsAt = at;
    }
    previous = at;
    const w = Math.floor(at / 1000 / windowSeconds);
    if (w < windows.length) windows[w]! += 1;
  }
  return { longestGap, gapEndsAt, windowRps: windows.map((n) => n / windowSeconds) };
}

async function ceiling(env: Record<string, string>, seconds: number, connections: number): Promise<LoadResult> {
  const server = await startCeiling(env);
  try {
    const spec = {
      url: server.url,
      connections,
      requests: () => [
        {
          method: 'POST' as const,
          path: '/messages',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: crypto.randomUUID(), text: 'hello there' }),
        },
      ],
    };
    await runLoad({ ...spec, duration: 3 });
    return await runLoad({ ...spec, duration: seconds });
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.skipBuild) buildProduct();
  buildCeiling();
  const backend = await createBackend(args.backend);
  // The ceiling gets a store of its own that stays small: it measures the machine's speed before and after, so the
  // product's drift against it is what its own growing data directory did, not the neighbours' load.
  const reference = await createBackend(args.backend);
  try {
    log(`[${args.backend}] ceiling before (${args.ceilingSeconds} s)`);
    const before = await ceiling(reference.ceilingEnv, args.ceilingSeconds, args.connections);
    const publicKey = runCli(['demo:seed'], backend.productEnv);
    const server = await startProduct(backend.productEnv, args.serverNodeArgs);
    const c = args.connections;
    const completions = new Float64Array(8_000 * args.duration + 1000);
    let count = 0;
    /** Responses slower than SLOW_MS: when they were sent (ms since the start) and how long they took. */
    const slow: { at: number; ms: number }[] = [];
    let load: LoadResult;
    let vacuumSteps: string[] = [];
    try {
      const sessions = dealOut(await openSessions(server.url, publicKey, c * 10, c), c);
      log(`[${args.backend}] turn pairs for ${args.duration} s`);
      const started = performance.now();
      load = await runLoad({
        url: server.url,
        connections: c,
        duration: args.duration,
        groupSize: 2,
        server: { pid: server.pid, ...(backend.database ? { database: backend.database } : {}) },
        requests: (client) => {
          let last: WaitingExecution | undefined;
          return [
            triggerRequest(rotate(sessions[client]!), (turn) => {
              last = turn;
            }),
            resumeRequest(() => {
              const w = last;
              last = undefined;
              return w;
            }),
          ];
        },
        verifyBody: (body) => body.includes('"status":"waiting_input"') || body.includes('"status":"completed"'),
        onResponse: (ms) => {
          if (count >= completions.length) return;
          const at = performance.now() - started;
          completions[count++] = at;
          if (ms > SLOW_MS) slow.push({ at: Math.round(at - ms), ms: Math.round(ms) });
        },
      });
    } finally {
      await server.stop();
      // With --trace-gc: the full (mark-compact) collections the server paused for, longest first.
      const pauses = [...server.output().matchAll(/Mark-Compact[^\n]*?, ([\d.]+) \/ [\d.]+ ms/g)].map((m) =>
        Number(m[1]),
      );
      // The embedded vacuum's steps that held the database longer than 200 ms (the server logs those).
      vacuumSteps = [...server.output().matchAll(/vacuum of (\w+) held the database for (\d+) ms/g)].map(
        (m) => `${m[1]}: ${m[2]} ms`,
      );
      if (vacuumSteps.length > 0) log(`[${args.backend}] vacuum steps over 200 ms: ${vacuumSteps.join(', ')}`);
      if (pauses.length > 0) {
        const sorted = pauses.sort((a, b) => b - a);
        log(`[${args.backend}] mark-compact pauses: ${pauses.length}, longest ${sorted.slice(0, 5).join(', ')} ms`);
      }
    }
    const store = backend.pgliteDir ? await inspectPglite(backend.pgliteDir) : undefined;
    if (store) log(`[${args.backend}] store after the run: ${JSON.stringify(store)}`);
    log(`[${args.backend}] ceiling after (${args.ceilingSeconds} s)`);
    const after = await ceiling(reference.ceilingEnv, args.ceilingSeconds, args.connections);

    const t = timeline(completions, count, load.seconds, args.window);
    const edge = Math.min(60, args.duration / 5);
    const rate = (from: number, to: number) => {
      let n = 0;
      for (let i = 0; i < count; i++) if (completions[i]! >= from * 1000 && completions[i]! < to * 1000) n++;
      return n / (to - from);
    };
    const first = rate(0, edge);
    const last = rate(load.seconds - edge, load.seconds);
    const firstRatio = first / before.rps;
    const lastRatio = last / after.rps;
    const drift = lastRatio / firstRatio - 1;
    const result = {
      machine: machine(),
      args,
      ceiling: { before: before.rps, after: after.rps },
      product: {
        rps: load.rps,
        failures: load.errors + load.non2xx + load.mismatches,
        latency: load.latency,
        rssMb: load.proc?.rssPeakMb,
      },
      firstSeconds: edge,
      firstRps: Math.round(first),
      lastRps: Math.round(last),
      firstVsCeiling: round3(firstRatio),
      lastVsCeiling: round3(lastRatio),
      driftVsCeiling: round3(drift),
      rawDrift: round3(last / first - 1),
      longestStallMs: Math.round(t.longestGap),
      longestStallEndsAtS: round3(t.gapEndsAt / 1000),
      ...(store ? { store } : {}),
      windowRps: t.windowRps.map(Math.round),
      slowVacuumSteps: vacuumSteps,
      slowResponses: slow.length,
      slowest: [...slow].sort((a, b) => b.ms - a.ms).slice(0, 10),
      verdict: {
        stall: t.longestGap <= 200 ? 'ok' : 'over 200 ms',
        drift: Math.abs(drift) <= 0.15 ? 'ok' : 'over 15 %',
      },
    };
    const md = [
      `# Sustained load, ${args.backend}, ${args.duration} s, ${c} connections (turn pairs)`,
      '',
      `| | value |`,
      `|---|---|`,
      `| ceiling before / after | ${before.rps} / ${after.rps} req/s |`,
      `| product (whole run) | ${load.rps} req/s, p50 ${load.latency.p50} / p99 ${load.latency.p99} / max ${load.latency.max} ms, ${result.product.failures} failed |`,
      `| first ${edge} s | ${result.firstRps} req/s = ${pct(firstRatio)} of the ceiling before |`,
      `| last ${edge} s | ${result.lastRps} req/s = ${pct(lastRatio)} of the ceiling after |`,
      `| drift against the ceiling | ${pct(drift)} (raw ${pct(last / first - 1)}); target within ±15 %: ${result.verdict.drift} |`,
      `| longest stall (no response at all) | ${result.longestStallMs} ms, ending at ${result.longestStallEndsAtS} s; target ≤ 200 ms: ${result.verdict.stall} |`,
      `| req/s per ${args.window} s window | ${result.windowRps.join(' ')} |`,
      `| vacuum steps over 200 ms (embedded) | ${vacuumSteps.length === 0 ? 'none' : vacuumSteps.join(', ')} |`,
      `| responses slower than ${SLOW_MS} ms | ${slow.length}; slowest (sent at s: ms) ${result.slowest.map((x) => `${(x.at / 1000).toFixed(1)}: ${x.ms}`).join(', ')} |`,
    ].join('\n');
    process.stdout.write(`${md}\n`);
    const files = writeResults(`${args.backend}-sustained-${args.duration}s`, result, md);
    log(`written: ${files.join(', ')}`);
  } finally {
    await backend.dispose();
    await reference.dispose();
  }
}

const SLOW_MS = 200;

/**
 * What the run left in the embedded store: dead rows per table (PGlite runs PostgreSQL in single-user mode, with no
 * autovacuum), the WAL on disk and the last checkpoint.
 */
async function inspectPglite(dir: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ dataDir: dir });
  try {
    // PGlite keeps no table statistics (pg_stat_user_tables stays empty), so bloat is measured directly: each big
    // table's size with its indexes, then again after VACUUM FULL rewrote it with live rows only.
    const sizeOf = async () =>
      (
        await db.query<{ relname: string; kb: number }>(
          `select c.relname, (pg_total_relation_size(c.oid) / 1024)::int as kb from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc limit 6`,
        )
      ).rows;
    const grown = await sizeOf();
    await db.exec('vacuum full');
    const compact = new Map((await sizeOf()).map((r) => [r.relname, r.kb]));
    const tables = grown.map((r) => ({ table: r.relname, kb: r.kb, kbLiveOnly: compact.get(r.relname) }));
    const wal = await db.query<{ mb: number }>(`select round(sum(size) / 1048576.0)::int as mb from pg_ls_waldir()`);
    const size = await db.query<{ mb: number }>(
      `select round(pg_database_size(current_database()) / 1048576.0)::int as mb`,
    );
    const settings = await db.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in ('max_wal_size', 'checkpoint_timeout', 'autovacuum', 'fsync', 'shared_buffers', 'wal_level')`,
    );
    return {
      tables,
      walMb: wal.rows[0]?.mb,
      databaseMb: size.rows[0]?.mb,
      settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])),
    };
  } finally {
    await db.close();
  }
}
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

runBench(main);
