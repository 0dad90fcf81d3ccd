// `npm run bench -- --repeat N [--compare REF]`: the ceiling and one or two product builds measured N times in
// alternation, so a ratio comes with its spread and a before/after difference with a verdict. See bench/README.md.
import type { BenchArgs } from './args.js';
import { type Backend, type BackendName, createBackend } from './backends.js';
import { failures, type LoadResult } from './load.js';
import { CONTENDED_PERCENT } from './procSampler.js';
import {
  ceilingScenario,
  pollScenario,
  prepareWaitingPool,
  resumeScenario,
  type ScenarioContext,
  type ScenarioRow,
  sessionOpenScenario,
  triggerScenario,
  turnPairScenario,
} from './scenarios.js';
import { runCli, type ServerProcess, startCeiling, startProduct } from './servers.js';

/** A product build to measure: the working tree's (or BENCH_PRODUCT_DIR's), or a --compare REF build. */
export interface Build {
  label: string;
  root: string;
  /** Extra environment of this build's server (e.g. COMERIX_USAGE_METERING=off). */
  env?: Record<string, string>;
}

export type StepKey = 'session' | 'trigger' | 'turn' | 'poll' | 'resume';
const STEP_NAMES: Record<StepKey, string> = {
  session: 'session open',
  trigger: 'trigger turn (→ waiting_input)',
  turn: 'turn pair (trigger + resume)',
  poll: 'poll a waiting execution',
  resume: 'resume turn (→ completed, cold)',
};

export const CEILING = 'ceiling';

/** One scenario of one round: the run of the ceiling and of each build, in the order they ran. */
export interface RoundRecord {
  step: StepKey;
  round: number;
  order: string[];
  rows: Record<string, ScenarioRow>;
}

interface Unit {
  label: string;
  kind: 'ceiling' | 'product';
  server: ServerProcess;
  backend: Backend;
  publicKey: string;
  sessions?: string[][];
  triggerRps?: number;
  prepared?: Awaited<ReturnType<typeof prepareWaitingPool>>;
}

/** `list` rotated left by `by`. */
export function rotate<T>(list: T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/**
 * The run order of round `round`: even rounds rotate the list one further each time, odd rounds run the previous
 * round's order backwards. So every two rounds each pair of units runs once in each order — a plain rotation of
 * (ceiling, after, before) would run after before before in 2 rounds of 3 — and with three units six rounds run all
 * six orders.
 */
export function roundOrder<T>(list: T[], round: number): T[] {
  const base = rotate(list, Math.floor(round / 2));
  return round % 2 === 1 ? base.reverse() : base;
}

/**
 * Starts the ceiling and every build, each on a database (or PGlite data directory) of its own — two builds may
 * differ in schema — and keeps them up for the whole backend. Then, round after round, for each scenario it runs the
 * ceiling and each build back to back (warm-up + timed run each, as in a single run), in the order of roundOrder.
 * Every ratio is taken against the ceiling run beside it, in the same round and scenario.
 */
export async function repeatBackend(
  args: BenchArgs,
  name: BackendName,
  builds: Build[],
  log: (line: string) => void,
): Promise<RoundRecord[]> {
  const rounds = args.repeat ?? 1;
  const units: Unit[] = [];
  const backends: Backend[] = [];
  const records: RoundRecord[] = [];
  const wanted = (key: string) => !args.only || args.only.has(key);
  // The trigger always runs: the turn pair reuses its sessions, the resume pool is sized from its rate.
  const steps = (['session', 'trigger', 'turn', 'poll', 'resume'] as const).filter((s) => s === 'trigger' || wanted(s));
  const ctx = (u: Unit): ScenarioContext => ({
    server: u.server,
    ...(u.backend.database ? { database: u.backend.database } : {}),
    publicKey: u.publicKey,
    timing: args.timing,
    log,
  });
  try {
    const ceilingBackend = await createBackend(name);
    backends.push(ceilingBackend);
    units.push({
      label: CEILING,
      kind: 'ceiling',
      server: await startCeiling(ceilingBackend.ceilingEnv),
      backend: ceilingBackend,
      publicKey: '',
    });
    for (const build of builds) {
      const backend = await createBackend(name);
      backends.push(backend);
      // On PGlite demo:seed must run before serve: a running server holds the data directory lock.
      const publicKey = runCli(['demo:seed'], backend.productEnv, build.root);
      const server = await startProduct({ ...backend.productEnv, ...build.env }, args.serverNodeArgs, build.root);
      units.push({ label: build.label, kind: 'product', server, backend, publicKey });
    }

    for (let round = 0; round < rounds; round++) {
      const order = roundOrder(units, round);
      for (const step of steps) {
        if (step === steps.find((s) => s === 'poll' || s === 'resume')) {
          // Untimed: the waiting executions poll and resume use, one pool per build, in this round's order.
          for (const u of order.filter((x) => x.kind === 'product')) {
            log(`[${name}] round ${round + 1}/${rounds}: waiting executions for ${u.label}`);
            u.prepared = await prepareWaitingPool(ctx(u), u.triggerRps ?? 0);
          }
        }
        const rows: Record<string, ScenarioRow> = {};
        for (const u of order) {
          log(`[${name}] round ${round + 1}/${rounds} ${step}: ${u.label}`);
          try {
            rows[u.label] = u.kind === 'ceiling' ? await ceilingScenario(ctx(u)) : await productStep(step, u, ctx(u));
          } catch (error) {
            log(`${u.label} server output:\n${u.server.output()}`);
            throw error;
          }
        }
        records.push({ step, round, order: order.map((u) => u.label), rows });
      }
    }
    return records;
  } finally {
    await Promise.allSettled(units.map((u) => u.server.stop()));
    await Promise.allSettled(backends.map((b) => b.dispose()));
  }
}

async function productStep(step: StepKey, u: Unit, ctx: ScenarioContext): Promise<ScenarioRow> {
  switch (step) {
    case 'session':
      return sessionOpenScenario(ctx);
    case 'trigger': {
      const t = await triggerScenario(ctx);
      u.sessions = t.sessions;
      u.triggerRps = t.row.load?.rps ?? 0;
      return t.row;
    }
    case 'turn':
      return turnPairScenario(ctx, u.sessions!);
    case 'poll':
      return pollScenario(ctx, u.prepared!.pool);
    case 'resume':
      return resumeScenario(ctx, u.prepared!);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and the table
// ---------------------------------------------------------------------------------------------------------------

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Two-sided 95 % Student t quantiles by degrees of freedom (1…30); beyond 30, 2.0 (slightly conservative). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Sum of squared deviations of the logarithms from their mean, and its degrees of freedom. */
function logDeviations(ratios: number[]): { squares: number; df: number } {
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  return { squares: logs.reduce((a, b) => a + (b - mean) ** 2, 0), df: logs.length - 1 };
}

/**
 * The round-to-round spread (standard deviation of the logarithms) of several scenarios together: each scenario's
 * deviations from its own mean, summed, over the summed degrees of freedom. Every scenario of a backend runs the same
 * way on the same box, so their noise is alike; a real change moves a scenario's mean, not its deviations.
 */
export function pooledLogSd(series: number[][]): number | undefined {
  const parts = series.filter((r) => r.length >= 2 && r.every((x) => x > 0)).map(logDeviations);
  const df = parts.reduce((a, p) => a + p.df, 0);
  return df > 0 ? Math.sqrt(parts.reduce((a, p) => a + p.squares, 0) / df) : undefined;
}

/**
 * 95 % interval of the geometric mean of per-round ratios (Student t on their logarithms, n − 1 degrees of freedom);
 * undefined with fewer than two rounds. The spread used is the larger of these rounds' own and `floorSd` (the pooled
 * spread of all scenarios): two rounds that happen to agree closely (1.45×, 1.47× — seen comparing a build with
 * itself) would otherwise make a narrow interval out of one lucky coincidence.
 */
export function interval95(ratios: number[], floorSd = 0): { low: number; high: number } | undefined {
  const n = ratios.length;
  if (n < 2 || ratios.some((r) => !(r > 0))) return undefined;
  const { squares } = logDeviations(ratios);
  const mean = ratios.map(Math.log).reduce((a, b) => a + b, 0) / n;
  const sd = Math.max(Math.sqrt(squares / (n - 1)), floorSd);
  const half = (T95[n - 2] ?? 2.0) * (sd / Math.sqrt(n));
  return { low: Math.exp(mean - half), high: Math.exp(mean + half) };
}

export type Verdict =
  | 'faster'
  | 'slower'
  | 'no change beyond spread'
  | 'n/a (one round)'
  | 'failed requests: no verdict';

/**
 * The after ÷ before verdict of one scenario. Per round, after ÷ before = the two builds' req/s in that round (each
 * ran right beside the other, and beside the same ceiling run, so the machine's drift between rounds cancels). Faster
 * or slower only when the 95 % interval of those per-round figures (interval95, with the pooled spread as a floor)
 * lies wholly above or below 1.
 */
export function verdictOf(perRound: number[], failed: boolean, floorSd = 0): Verdict {
  if (failed) return 'failed requests: no verdict';
  const ci = interval95(perRound, floorSd);
  if (!ci) return 'n/a (one round)';
  if (ci.low > 1) return 'faster';
  if (ci.high < 1) return 'slower';
  return 'no change beyond spread';
}

/** CPU milliseconds per request of the server process, and of the bench database's PostgreSQL backends. */
function cpuMsPerRequest(l: LoadResult): { server?: number; db?: number } {
  if (!l.proc || l.requests === 0) return {};
  const ms = (percent: number) => ((percent / 100) * l.seconds * 1000) / l.requests;
  return {
    server: ms(l.proc.cpuPercent),
    ...(l.proc.dbCpuPercent !== undefined ? { db: ms(l.proc.dbCpuPercent) } : {}),
  };
}

interface Series {
  rps: number[];
  rpsRatio: number[];
  p99Ratio: number[];
  serverMs: number[];
  dbMs: number[];
  failed: number;
  contended: number;
}

function series(records: RoundRecord[], step: StepKey, label: string): Series {
  const s: Series = { rps: [], rpsRatio: [], p99Ratio: [], serverMs: [], dbMs: [], failed: 0, contended: 0 };
  for (const rec of records.filter((r) => r.step === step)) {
    const l = rec.rows[label]?.load;
    const c = rec.rows[CEILING]?.load;
    if (!l || !c) continue;
    s.rps.push(l.rps);
    if (c.rps > 0) s.rpsRatio.push(l.rps / c.rps);
    if (c.latency.p99 > 0) s.p99Ratio.push(l.latency.p99 / c.latency.p99);
    const cpu = cpuMsPerRequest(l);
    if (cpu.server !== undefined) s.serverMs.push(cpu.server);
    if (cpu.db !== undefined) s.dbMs.push(cpu.db);
    s.failed += failures(l);
    // A round counts as contended when any of its runs (this one or the ceiling beside it) was.
    if ([l, c].some((x) => (x.proc?.otherCpuPercent ?? 0) > CONTENDED_PERCENT)) s.contended++;
  }
  return s;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const times = (x: number) => `${x.toFixed(2)}×`;
/** An interval's end: with two noisy rounds it can be absurd, and 1,000× tells no more than > 10×. */
const bound = (x: number) => (x > 10 ? '> 10×' : x < 0.1 ? '< 0.1×' : times(x));
const ms2 = (values: number[]) => (values.length ? median(values).toFixed(2) : '–');
const spread = (values: number[], f: (x: number) => string) =>
  values.length ? `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})` : '';
const cpuCell = (s: Series) => `${ms2(s.serverMs)} / ${ms2(s.dbMs)}`;

/** Per round of one scenario: after ÷ before req/s, and after ÷ before server CPU ms/req. */
function afterBefore(records: RoundRecord[], step: StepKey, after: string, before: string) {
  const perRound: number[] = [];
  const cpuRound: number[] = [];
  let idle = false;
  for (const rec of records.filter((r) => r.step === step)) {
    const la = rec.rows[after]?.load;
    const lb = rec.rows[before]?.load;
    if (!la || !lb) continue;
    // A run that completed no request (seen on a box loaded far beyond its 2 cores) is a measurement, not a gap:
    // leaving it out would turn two rounds into one that looks clean.
    if (la.rps === 0 || lb.rps === 0) {
      idle = true;
      continue;
    }
    perRound.push(la.rps / lb.rps);
    const ca = cpuMsPerRequest(la).server;
    const cb = cpuMsPerRequest(lb).server;
    if (ca !== undefined && cb !== undefined && cb > 0) cpuRound.push(ca / cb);
  }
  return { perRound, cpuRound, idle };
}

/** The markdown of a --repeat run: ratios per build beside the ceiling, then (with --compare) after ÷ before. */
export function repeatTables(records: RoundRecord[], builds: Build[]): string {
  const steps = [...new Set(records.map((r) => r.step))];
  const rounds = new Set(records.map((r) => r.round)).size;
  const head = [
    'scenario',
    'ceiling req/s: median (min–max)',
    'ceiling CPU ms/req: server / DB',
    ...builds.flatMap((b) => [
      `${b.label}: req/s ÷ ceiling, median (min–max)`,
      `${b.label}: p99 ÷ ceiling p99, median`,
      `${b.label}: CPU ms/req server / DB`,
    ]),
    'notes',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${' --- |'.repeat(head.length)}`];
  for (const step of steps) {
    const ceiling = series(records, step, CEILING);
    const perBuild = builds.map((b) => series(records, step, b.label));
    const notes = [
      ...perBuild.flatMap((s, i) => (s.failed > 0 ? [`**${s.failed} failed** (${builds[i]!.label})`] : [])),
      ...(() => {
        const worst = Math.max(...perBuild.map((s) => s.contended));
        return worst > 0 ? [`⚠ ${worst} of ${rounds} rounds contended`] : [];
      })(),
    ];
    lines.push(
      `| ${[
        STEP_NAMES[step],
        spread(ceiling.rps, (x) => Math.round(x).toLocaleString('en-US')),
        cpuCell(ceiling),
        ...perBuild.flatMap((s) => [
          spread(s.rpsRatio, pct),
          s.p99Ratio.length ? times(median(s.p99Ratio)) : '',
          cpuCell(s),
        ]),
        notes.join('; '),
      ].join(' | ')} |`,
    );
  }
  const out = [lines.join('\n')];
  if (builds.length === 2) {
    const [after, before] = builds as [Build, Build];
    const cmpHead = [
      'scenario',
      `${after.label} ÷ ceiling`,
      `${before.label} ÷ ceiling`,
      'after ÷ before req/s: median (min–max of rounds)',
      '95 % interval',
      'server CPU ms/req after ÷ before, median',
      'verdict',
    ];
    const cmp = [`| ${cmpHead.join(' | ')} |`, `|${' --- |'.repeat(cmpHead.length)}`];
    const byStep = steps.map((step) => ({ step, ...afterBefore(records, step, after.label, before.label) }));
    const floorSd = pooledLogSd(byStep.map((x) => x.perRound)) ?? 0;
    for (const { step, perRound, cpuRound, idle } of byStep) {
      const a = series(records, step, after.label);
      const b = series(records, step, before.label);
      const ci = interval95(perRound, floorSd);
      cmp.push(
        `| ${[
          STEP_NAMES[step],
          spread(a.rpsRatio, pct),
          spread(b.rpsRatio, pct),
          spread(perRound, times),
          ci ? `${bound(ci.low)}–${bound(ci.high)}` : '–',
          cpuRound.length ? times(median(cpuRound)) : '–',
          `**${idle ? 'a run completed no request: no verdict' : verdictOf(perRound, a.failed + b.failed > 0, floorSd)}**`,
        ].join(' | ')} |`,
      );
    }
    out.push(
      '',
      `**${after.label} (after) against ${before.label} (before)** — per round, after ÷ before is the two builds' req/s ` +
        'in that round (they ran beside each other and beside the same ceiling run). Verdict: faster / slower when the ' +
        '95 % interval of the per-round figures (Student t on their logarithms, with the spread of all this ' +
        "backend's scenarios pooled as the least spread a row may claim) lies wholly above / below 1, otherwise no " +
        'change beyond spread.',
      '',
      cmp.join('\n'),
    );
  }
  return out.join('\n');
}
