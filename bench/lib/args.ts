import { parseArgs } from 'node:util';
import type { BackendName } from './backends.js';
import { quietBudget } from './procSampler.js';
import type { Timing } from './scenarios.js';

export interface BenchArgs {
  quick: boolean;
  backends: BackendName[];
  timing: Timing;
  skipBuild: boolean;
  /** Extra node flags for the product server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  serverNodeArgs: string[];
  /** Run only these scenarios (keys as in the table: session, trigger, turn, turnWebhook, poll, resume); the ceiling always runs. */
  only?: Set<string>;
  /** --repeat N: alternate the ceiling and the build(s) N rounds and report medians and spreads (bench/lib/repeat.ts). */
  repeat?: number;
  /** --compare REF: also build REF in a temp checkout and alternate it with this one (implies --repeat, default 3). */
  compare?: string;
  /**
   * --compare-metering: alternate this build with usage metering on (after) and off (before), same code and data
   * (implies --repeat, default 3): the metering's cost set against the run-to-run spread, with a verdict.
   */
  compareMetering?: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--backend=postgres|pglite|both] [--duration=S] [--warmup=S]
                          [--connections=N] [--only=trigger,turn,turnWebhook,...] [--skip-build] [--quiet-wait=S]
                          [--server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]
                          [--repeat=N] [--compare=REF | --compare-metering]`;

/**
 * Defaults: full run 15 s per scenario after a 3 s warm-up (≈ 5 min for both backends); --quick 3 s after 1 s
 * (≈ 1.5 min). 50 connections, as in notes/node20-stack-findings.md §3.
 */
export function parseBenchArgs(
  argv: string[],
  defaults: { duration: number; warmup: number } = { duration: 15, warmup: 3 },
): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'both' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '50' },
      'quiet-wait': { type: 'string' },
      only: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'server-node-args': { type: 'string', default: '' },
      repeat: { type: 'string' },
      compare: { type: 'string' },
      'compare-metering': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const backend = values.backend;
  if (backend !== 'postgres' && backend !== 'pglite' && backend !== 'both') {
    throw new Error(`--backend must be postgres, pglite or both\n${USAGE}`);
  }
  const number = (raw: string | undefined, fallback: number, name: string) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const quick = values.quick;
  let repeat: number | undefined;
  if (values.repeat !== undefined) {
    repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a whole number ≥ 1\n${USAGE}`);
  } else if (values.compare !== undefined || values['compare-metering']) {
    repeat = 3;
  }
  if (values.compare !== undefined && values['compare-metering']) {
    throw new Error(`--compare and --compare-metering each compare two builds: give one\n${USAGE}`);
  }
  if (values.compare === '') throw new Error(`--compare needs a git ref (HEAD, main, a sha…)\n${USAGE}`);
  // All quiet-machine waits of a run together: 15 s in a quick run, 60 s in a full one (per round with --repeat).
  quietBudget.remainingMs = (quick ? 15_000 : 60_000) * (repeat ?? 1);
  return {
    quick,
    backends: backend === 'both' ? ['postgres', 'pglite'] : [backend],
    timing: {
      duration: number(values.duration, quick ? 3 : defaults.duration, 'duration'),
      warmup: number(values.warmup, quick ? 1 : defaults.warmup, 'warmup'),
      connections: number(values.connections, 50, 'connections'),
      quietWaitMs: number(values['quiet-wait'], quick ? 2 : 10, 'quiet-wait') * 1000,
    },
    skipBuild: values['skip-build'],
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
    ...(values.only ? { only: new Set(values.only.split(',')) } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
    ...(values.compare !== undefined ? { compare: values.compare } : {}),
    ...(values['compare-metering'] ? { compareMetering: true } : {}),
  };
}
