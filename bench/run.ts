// `npm run bench` — DESIGN §17 throughput and latency of the chat API against a same-run ceiling.
// See bench/README.md for what each scenario does and how to read the table.
import { rateBucketNames } from '../src/http/limits/rateBuckets.js';
import { type BenchArgs, parseBenchArgs } from './lib/args.js';
import { type Backend, type BackendName, createBackend, postgresVersion } from './lib/backends.js';
import { disposeRefBuild, prepareRefBuild } from './lib/compareBuild.js';
import { type Build, repeatBackend, repeatTables } from './lib/repeat.js';
import { machine, writeResults } from './lib/results.js';
import { runBench } from './lib/runBench.js';
import {
  ceilingScenario,
  formSchemaScenario,
  jobPickupScenario,
  pollScenario,
  prepareWaitingPool,
  resumeScenario,
  type ScenarioContext,
  type ScenarioRow,
  sessionOpenScenario,
  telemetryBatchScenario,
  triggerScenario,
  turnMeteringOffScenario,
  turnPairScenario,
  turnRateLimitedScenario,
} from './lib/scenarios.js';
import {
  buildCeiling,
  buildProduct,
  HEAP_ARGS,
  PRODUCT_ROOT,
  ROOT,
  runCli,
  startCeiling,
  startProduct,
} from './lib/servers.js';
import { scenarioTable, verdictLines, verdicts } from './lib/table.js';
import { webhookTurnScenario } from './lib/webhookScenario.js';

/** Every rate limit far above any load this bench makes: the limiter counts and answers, and never refuses. */
const ABOVE_THE_LOAD = rateBucketNames.map((name) => `${name}=999999999`).join(',');

const log = (line: string) => process.stderr.write(`${line}\n`);

async function benchBackend(args: BenchArgs, name: BackendName): Promise<ScenarioRow[]> {
  const backend = await createBackend(name);
  const rows: ScenarioRow[] = [];
  try {
    log(`[${name}] ceiling`);
    const ceiling = await startCeiling(backend.ceilingEnv);
    try {
      rows.push(await ceilingScenario(context(args, backend, ceiling, '')));
    } finally {
      await ceiling.stop();
    }

    // On PGlite demo:seed must run before serve: a running server holds the data directory lock.
    // Private networks: the webhook scenario's endpoint is a receiver on loopback.
    const productEnv = { ...backend.productEnv, COMERIX_ALLOW_PRIVATE_NETWORKS: 'true' };
    const publicKey = runCli(['demo:seed'], productEnv);
    const server = await startProduct(productEnv, args.serverNodeArgs);
    try {
      const ctx = context(args, backend, server, publicKey);
      const wanted = (key: string) => !args.only || args.only.has(key);
      if (wanted('session')) {
        log(`[${name}] session open`);
        rows.push(await sessionOpenScenario(ctx));
      }
      // The trigger scenario also opens the sessions the turn-pair scenario reuses.
      log(`[${name}] trigger`);
      const trigger = await triggerScenario(ctx);
      if (wanted('trigger')) rows.push(trigger.row);
      if (wanted('turn')) {
        log(`[${name}] turn pair`);
        rows.push(await turnPairScenario(ctx, trigger.sessions));
      }
      if (wanted('poll') || wanted('resume')) {
        log(`[${name}] waiting executions for poll and resume`);
        const prepared = await prepareWaitingPool(ctx, trigger.row.load?.rps ?? 0);
        if (wanted('poll')) {
          log(`[${name}] poll`);
          rows.push(await pollScenario(ctx, prepared.pool));
        }
        if (wanted('resume')) {
          log(`[${name}] resume`);
          rows.push(await resumeScenario(ctx, prepared));
        }
      }
      if (wanted('formSchema')) {
        log(`[${name}] form schema (warm ETag)`);
        rows.push(await formSchemaScenario(ctx));
      }
      if (!args.only || wanted('telemetry')) rows.push(await telemetryBatchScenario(ctx));
      rows.push(await jobPickupScenario(ctx));
      // Last, so the outbox rows and delivery jobs it leaves behind (no worker runs here) disturb no other scenario.
      if (wanted('turnWebhook')) {
        log(`[${name}] turn pair, tenant with one webhook endpoint`);
        rows.push(await webhookTurnScenario(ctx, trigger.sessions, productEnv));
      }
    } catch (error) {
      log(`server output:\n${server.output()}`);
      throw error;
    } finally {
      await server.stop();
    }
    // Metering off: the same turn pair on a server that counts nothing, right after the metered one.
    if (!args.only || args.only.has('turn') || args.only.has('turnMeteringOff')) {
      const unmetered = await startProduct(
        { ...backend.productEnv, COMERIX_USAGE_METERING: 'off' },
        args.serverNodeArgs,
      );
      try {
        log(`[${name}] turn pair, usage metering off`);
        const metered = rows.find((r) => r.key === 'turn');
        rows.push(await turnMeteringOffScenario(context(args, backend, unmetered, publicKey), metered));
      } catch (error) {
        log(`server output:\n${unmetered.output()}`);
        throw error;
      } finally {
        await unmetered.stop();
      }
    }
    // Rate limits on (every bucket far above the load) beside the `turn` row, which ran with them off.
    if (!args.only || args.only.has('turn') || args.only.has('turnRateLimited')) {
      const limited = await startProduct(
        { ...backend.productEnv, COMERIX_RATE_LIMITS: 'on', COMERIX_RATE_LIMIT_OVERRIDES: ABOVE_THE_LOAD },
        args.serverNodeArgs,
      );
      try {
        log(`[${name}] turn pair, rate limits on (above the load)`);
        const unlimited = rows.find((r) => r.key === 'turn');
        rows.push(await turnRateLimitedScenario(context(args, backend, limited, publicKey), unlimited));
      } catch (error) {
        log(`server output:\n${limited.output()}`);
        throw error;
      } finally {
        await limited.stop();
      }
    }
    return sortRows(rows);
  } finally {
    await backend.dispose();
  }
}

function context(args: BenchArgs, backend: Backend, server: ScenarioContext['server'], publicKey: string) {
  return { server, ...(backend.database ? { database: backend.database } : {}), publicKey, timing: args.timing, log };
}

const ORDER: ScenarioRow['key'][] = [
  'ceiling',
  'session',
  'trigger',
  'resume',
  'turn',
  'turnMeteringOff',
  'turnWebhook',
  'poll',
  'formSchema',
  'telemetry',
  'jobPickup',
];
function sortRows(rows: ScenarioRow[]): ScenarioRow[] {
  return [...rows].sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const started = Date.now();
  if (!args.skipBuild) buildProduct();
  buildCeiling();
  if (args.repeat !== undefined) await repeated(args);
  else await single(args);
  log(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function heading(args: BenchArgs, name: BackendName, title: string): Promise<string> {
  return [
    `## ${name} — ${title}, ${new Date().toISOString()}`,
    '',
    `${args.timing.connections} connections, ${args.timing.duration} s per scenario after ${args.timing.warmup} s warm-up; ` +
      `node ${process.version}, ${machine().cpus} cores${name === 'postgres' ? `, PostgreSQL ${await postgresVersion()}` : ', PGlite in-process'}. ` +
      `Product: \`node ${HEAP_ARGS.join(' ')} dist/main.js serve\` (tsc build); ceiling: bench/ceiling.ts bundled by esbuild, on node (same heap setting). ` +
      'Latencies in ms; CPU in % of one core; autocannon shares the 2 cores with the server (and PostgreSQL).',
  ].join('\n');
}

/** --repeat N [--compare REF]: rounds of ceiling and build(s) in rotated order; medians, spreads, verdicts. */
async function repeated(args: BenchArgs): Promise<void> {
  const tree = PRODUCT_ROOT === ROOT ? 'working tree' : `BENCH_PRODUCT_DIR ${PRODUCT_ROOT}`;
  const builds: Build[] = [{ label: args.compareMetering ? `${tree}, metering on` : tree, root: PRODUCT_ROOT }];
  // The same build with usage metering off, as the "before" of the after ÷ before verdict.
  if (args.compareMetering) {
    builds.push({ label: `${tree}, metering off`, root: PRODUCT_ROOT, env: { COMERIX_USAGE_METERING: 'off' } });
  }
  const ref = args.compare !== undefined ? prepareRefBuild(args.compare, log) : undefined;
  if (ref) builds.push({ label: `${ref.ref} (${ref.sha.slice(0, 7)})`, root: ref.root });
  try {
    for (const name of args.backends) {
      const records = await repeatBackend(args, name, builds, log);
      const partial = args.only !== undefined || args.serverNodeArgs.length > 0;
      const mode = `${args.quick ? 'quick' : 'full'}${partial ? ' (partial)' : ''}`;
      const flags = `--repeat ${args.repeat}${ref ? ` --compare ${ref.ref}` : ''}${args.compareMetering ? ' --compare-metering' : ''}`;
      const order = ['ceiling', ...builds.map((b) => b.label)];
      const markdown = [
        await heading(args, name, `${mode} run, ${flags}`),
        '',
        `${args.repeat} rounds. In each round, scenario by scenario, the ceiling and each build run back to back ` +
          `(round 1: ${order.join(', ')}; round 2 the same backwards; round 3 starts one further along, round 4 is ` +
          'round 3 backwards, …). Every ratio is a run ÷ the ' +
          'ceiling run beside it; the table gives the median over rounds and, in brackets, the lowest and highest ' +
          'round. CPU ms/req: server process / PostgreSQL backends of its database (– on PGlite), medians.',
        '',
        repeatTables(records, builds),
      ].join('\n');
      process.stdout.write(`\n${markdown}\n\n`);
      const files = writeResults(
        `${name}${args.quick ? '-quick' : ''}${partial ? '-partial' : ''}${ref ? '-compare' : args.compareMetering ? '-metering' : '-repeat'}`,
        {
          date: new Date().toISOString(),
          mode,
          flags,
          backend: name,
          machine: machine(),
          timing: args.timing,
          serverNodeArgs: args.serverNodeArgs,
          builds: builds.map((b) => ({ label: b.label, ...(ref && b.root === ref.root ? { sha: ref.sha } : {}) })),
          rounds: records,
        },
        markdown,
      );
      log(`wrote ${files.join(', ')}`);
    }
  } finally {
    if (ref) disposeRefBuild(ref);
  }
}

async function single(args: BenchArgs): Promise<void> {
  for (const name of args.backends) {
    const rows = await benchBackend(args, name);
    const list = verdicts(name, rows);
    const partial = args.only !== undefined || args.serverNodeArgs.length > 0;
    const mode = `${args.quick ? 'quick' : 'full'}${partial ? ' (partial)' : ''}`;
    const markdown = [
      await heading(args, name, `${mode} run`),
      '',
      scenarioTable(rows),
      '',
      '**DESIGN §17 verdicts**',
      '',
      verdictLines(list),
    ].join('\n');
    process.stdout.write(`\n${markdown}\n\n`);
    // Quick, partial (--only) and profiling runs get their own file so they never replace a full run's figures.
    const files = writeResults(
      `${name}${args.quick ? '-quick' : ''}${partial ? '-partial' : ''}`,
      {
        date: new Date().toISOString(),
        mode,
        backend: name,
        machine: machine(),
        timing: args.timing,
        serverNodeArgs: args.serverNodeArgs,
        scenarios: rows,
        verdicts: list,
      },
      markdown,
    );
    log(`wrote ${files.join(', ')}`);
  }
}

runBench(main);
