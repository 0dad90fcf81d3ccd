// `npm run bench:growth` — DESIGN §17 "latency stays flat as history grows": turn p50 at 1 M stored executions
// ≤ 1.25× the p50 at 10 k. History is bulk-filled with SQL (bench/lib/history.ts), the server restarted, then a fixed
// number of turns (trigger → waiting_input, resume → completed) is measured at each size.
import { parseArgs } from 'node:util';
import { type BackendName, createBackend } from './lib/backends.js';
import { dealOut, openSessions } from './lib/chatApi.js';
import { countExecutions, demoIds, fillHistory, openSql, type Sql } from './lib/history.js';
import { failures, type LoadResult } from './lib/load.js';
import { CONTENDED_PERCENT } from './lib/procSampler.js';
import { machine, writeResults } from './lib/results.js';
import { runBench } from './lib/runBench.js';
import { type ScenarioContext, turnPairScenario } from './lib/scenarios.js';
import { buildProduct, runCli, startProduct } from './lib/servers.js';
import { TARGETS } from './lib/table.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Stage {
  target: number;
  /** Executions in the database when the turns were measured (history + what earlier stages' turns added). */
  stored: number;
  fillSeconds: number;
  vacuumSeconds: number;
  /** The pass of `passes` with the lowest turn p50. */
  load?: LoadResult;
  passes?: LoadResult[];
  skipped?: string;
}

interface GrowthArgs {
  backends: BackendName[];
  sizes: number[];
  connections: number;
  turns: number;
  warmupTurns: number;
  /** Timed passes per size (same server process); the one with the lowest turn p50 is reported. */
  repeats: number;
  fillBudgetSeconds: number;
  skipBuild: boolean;
  quick: boolean;
}

function parse(): GrowthArgs {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      backend: { type: 'string', default: 'both' },
      sizes: { type: 'string' },
      connections: { type: 'string', default: '10' },
      turns: { type: 'string' },
      repeats: { type: 'string', default: '2' },
      'fill-budget': { type: 'string', default: '200' },
      quick: { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
    },
  });
  const b = values.backend;
  if (b !== 'postgres' && b !== 'pglite' && b !== 'both') throw new Error('--backend must be postgres, pglite or both');
  const turns = Number(values.turns ?? (values.quick ? 300 : 1000));
  return {
    backends: b === 'both' ? ['postgres', 'pglite'] : [b],
    sizes: (values.sizes ?? (values.quick ? '10000,50000' : '10000,100000,1000000')).split(',').map(Number),
    // 10 connections, not 50: this measures how a turn's latency changes with history, not queueing at saturation.
    connections: Number(values.connections),
    turns,
    warmupTurns: Math.ceil(turns / 2),
    repeats: Math.max(1, Number(values.repeats)),
    fillBudgetSeconds: Number(values['fill-budget']),
    skipBuild: values['skip-build'],
    quick: values.quick,
  };
}

async function growBackend(args: GrowthArgs, name: BackendName): Promise<Stage[]> {
  const backend = await createBackend(name);
  const stages: Stage[] = [];
  try {
    const publicKey = runCli(['demo:seed'], backend.productEnv);
    // History timestamps end an hour before now, so everything the API writes during the bench is newer.
    const baseMs = Date.now() - 3_600_000;
    let historyAt = 0; // next history index to fill
    let sql: Sql | undefined = name === 'postgres' ? await openSql(backend) : undefined;
    try {
      for (const target of args.sizes) {
        // On PGlite the bench opens the data directory itself, so only while the server is stopped.
        const db = sql ?? (await openSql(backend));
        let stage: Stage;
        try {
          const ids = await demoIds(db);
          const missing = Math.max(0, target - (await countExecutions(db)));
          const to = historyAt + missing + (missing % 2); // whole conversations of two executions
          log(`[${name}] filling history to ${target.toLocaleString('en-US')} executions`);
          const fill = await fillHistory(db, ids, { from: historyAt, to }, baseMs, args.fillBudgetSeconds * 1000, log);
          historyAt = fill.reached;
          stage = {
            target,
            stored: await countExecutions(db),
            fillSeconds: Math.round(fill.fillMs / 1000),
            vacuumSeconds: Math.round(fill.vacuumMs / 1000),
          };
          if (fill.reached < to) {
            stage.skipped = `fill stopped after the ${args.fillBudgetSeconds} s budget at ${stage.stored.toLocaleString('en-US')} executions`;
          }
        } finally {
          if (!sql) await db.close();
        }
        stages.push(stage);
        if (stage.skipped) log(`[${name}] ${stage.skipped}; measuring at that size, then stopping`);
        const passes = await measureTurns(args, backend.productEnv, publicKey, backend.database);
        // Best of N: interference from other processes on the shared box only ever adds latency.
        stage.load = passes.reduce((a, b) => (b.groupLatency!.p50 < a.groupLatency!.p50 ? b : a));
        stage.passes = passes;
        const t = stage.load.groupLatency!;
        log(`[${name}] ${stage.stored.toLocaleString('en-US')} executions: turn p50 ${t.p50} ms, p99 ${t.p99} ms`);
        if (stage.skipped) break;
      }
    } finally {
      await sql?.close();
      sql = undefined;
    }
    return stages;
  } finally {
    await backend.dispose();
  }
}

/**
 * A fresh server process (cold caches in the app, warm ones in the database), warm-up turns, then `repeats` timed
 * passes of a fixed number of turns each.
 */
async function measureTurns(
  args: GrowthArgs,
  env: Record<string, string>,
  publicKey: string,
  database: string | undefined,
): Promise<LoadResult[]> {
  const server = await startProduct(env);
  try {
    const c = args.connections;
    const ctx: ScenarioContext = {
      server,
      ...(database ? { database } : {}),
      publicKey,
      timing: { connections: c, duration: 0, warmup: 0, quietWaitMs: args.quick ? 2000 : 10000 },
      log,
    };
    const tokens = await openSessions(server.url, publicKey, c * 10, c);
    const sessions = dealOut(tokens, c);
    // Amount-bound (whole turns per connection): every size adds the same number of executions.
    const requests = (turns: number) => Math.max(1, Math.ceil(turns / c)) * c * 2;
    const passes: LoadResult[] = [];
    for (let pass = 0; pass < args.repeats; pass++) {
      const bound = { amount: requests(args.turns), warmupAmount: pass === 0 ? requests(args.warmupTurns) : 0 };
      passes.push((await turnPairScenario(ctx, sessions, bound)).load!);
    }
    return passes;
  } catch (error) {
    log(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await server.stop();
  }
}

function growthMarkdown(name: BackendName, args: GrowthArgs, stages: Stage[]): { markdown: string; ratio?: number } {
  const lines = [
    `## growth — ${name}, ${new Date().toISOString()}`,
    '',
    `${args.connections} connections; per size: server restarted, ${args.warmupTurns} warm-up turns, then ${args.repeats} timed passes of ${args.turns} turns, ` +
      'the pass with the lowest turn p50 reported (turn = trigger → waiting_input + resume → completed, latency = the sum of the two requests). ' +
      `History: 85 % completed, 10 % superseded, 5 % waiting; 2 executions per conversation; ~1.85 transcript rows (~4.7 items) per execution. Node ${process.version}, ${machine().cpus} cores.`,
    '',
    '| stored executions | fill s | vacuum s | turn p50 ms | turn p99 ms | request p50 ms | request p99 ms | turns/s | failed | server CPU | server CPU ms/turn | DB CPU ms/turn | other CPU | server RSS peak | all passes: turn p50 (other CPU) |',
    `|${' --- |'.repeat(15)}`,
  ];
  for (const s of stages) {
    const stored = `${s.stored.toLocaleString('en-US')}${s.skipped ? ` (target ${s.target.toLocaleString('en-US')} not reached: fill budget)` : ''}`;
    if (!s.load) {
      lines.push(`| ${stored} | ${s.fillSeconds} | ${s.vacuumSeconds} | not measured |${'  |'.repeat(11)}`);
      continue;
    }
    const l = s.load;
    const t = l.groupLatency!;
    const turns = l.requests / 2;
    const msPerTurn = (percent: number | undefined) =>
      percent === undefined ? '–' : (((percent / 100) * l.seconds * 1000) / turns).toFixed(2);
    const other = l.proc?.otherCpuPercent ?? 0;
    const passes = (s.passes ?? [])
      .map((p) => `${p.groupLatency!.p50} (${p.proc?.otherCpuPercent ?? '?'} %)`)
      .join(', ');
    lines.push(
      `| ${stored} | ${s.fillSeconds} | ${s.vacuumSeconds} | ${t.p50} | ${t.p99} | ${l.latency.p50} | ${l.latency.p99} | ${Math.round(l.rps / 2)} | ${failures(l)} | ${l.proc?.cpuPercent ?? ''} % | ${msPerTurn(l.proc?.cpuPercent)} | ${msPerTurn(l.proc?.dbCpuPercent)} | ${other} %${other > CONTENDED_PERCENT ? ' ⚠' : ''} | ${l.proc?.rssPeakMb ?? ''} MB | ${passes} |`,
    );
  }
  const measured = stages.filter((s) => s.load);
  const first = measured[0];
  const last = measured.at(-1);
  let ratio: number | undefined;
  lines.push('');
  if (first && last && last !== first) {
    ratio = last.load!.groupLatency!.p50 / first.load!.groupLatency!.p50;
    const pass = ratio <= TARGETS.growthP50Ratio;
    const label = `${last.stored.toLocaleString('en-US')} ÷ ${first.stored.toLocaleString('en-US')}`;
    const full = last.stored >= 1_000_000 && first.stored <= 12_000;
    lines.push(
      `- ${pass ? 'PASS' : 'FAIL'} — turn p50 at ${label} executions = ${ratio.toFixed(2)}× (target ≤ ${TARGETS.growthP50Ratio}× for 1 M ÷ 10 k)${full ? '' : ' — the 1 M size was not reached, so this is not the DESIGN §17 verdict'}`,
    );
  } else {
    lines.push('- no ratio: fewer than two sizes measured');
  }
  return { markdown: lines.join('\n'), ...(ratio !== undefined ? { ratio } : {}) };
}

async function main(): Promise<void> {
  const args = parse();
  const started = Date.now();
  if (!args.skipBuild) buildProduct();
  for (const name of args.backends) {
    const stages = await growBackend(args, name);
    const { markdown, ratio } = growthMarkdown(name, args, stages);
    process.stdout.write(`\n${markdown}\n\n`);
    const files = writeResults(
      `${name}-growth${args.quick ? '-quick' : ''}`,
      {
        date: new Date().toISOString(),
        backend: name,
        machine: machine(),
        args,
        stages,
        p50Ratio: ratio,
      },
      markdown,
    );
    log(`wrote ${files.join(', ')}`);
  }
  log(`growth finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

runBench(main);
