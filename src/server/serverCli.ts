import type { Command } from 'commander';
import { createContext, openConfiguredDb } from '../app/createContext.js';
import { UsageError } from '../cli/UsageError.js';
import { type Config, loadConfig } from '../config.js';
import { lockDataDir, lockHolder } from '../db/dataDirLock.js';
import { migrate } from '../db/migrate.js';
import { performHttp } from '../executions/performHttp.js';
import { GraphileJobQueue } from '../jobs/GraphileJobQueue.js';
import { startMetricsServer } from '../metrics/startMetricsServer.js';
import { jsonLog } from './jsonLog.js';
import { startServer } from './startServer.js';
import { startWorker } from './startWorker.js';

async function serve(seed: boolean, worker: boolean): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config, { seed, worker });
  onStopSignal(config, (signal) => {
    server.app.log.info({ signal, deadlineSeconds: config.shutdownMs / 1000 }, 'stopping');
    return server.stop();
  });
}

/**
 * SIGTERM or SIGINT: stop gracefully and exit 0; past COMERIX_SHUTDOWN_SECONDS, exit 1 with whatever is still running
 * cut off (its job is retried elsewhere, its client gets a closed connection). A second signal exits at once.
 */
function onStopSignal(config: Config, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`comerix: still stopping after ${config.shutdownMs / 1000} s; exiting\n`);
      process.exit(1);
    }, config.shutdownMs).unref();
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`comerix: stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

/** `comerix worker`: jobs only, for scaling out on PostgreSQL (any number of them); logs JSON like the API. */
async function work(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.backend === 'pglite') {
    throw new UsageError(
      '`worker` needs DATABASE_URL (PostgreSQL); the embedded server (`comerix start`) works its own jobs',
    );
  }
  const log = jsonLog(cfg.logLevel);
  const db = await openConfiguredDb(cfg);
  const ctx = await createContext(cfg, db, { migrate: true });
  const worker = await startWorker(ctx, { http: performHttp, log: (msg, err) => log.warn(msg, { err }) });
  const metricsServer =
    cfg.metricsPort !== undefined
      ? await startMetricsServer(ctx.metrics, {
          port: cfg.metricsPort,
          host: cfg.metricsHost,
          ...(cfg.metricsToken ? { token: cfg.metricsToken } : {}),
        })
      : undefined;
  log.info('worker running', {
    concurrency: cfg.workerConcurrency,
    ...(metricsServer ? { metrics: `http://${cfg.metricsHost}:${cfg.metricsPort}/metrics` } : {}),
  });
  onStopSignal(cfg, async (signal) => {
    log.info('stopping', { signal, deadlineSeconds: cfg.shutdownMs / 1000 });
    ctx.shutdown.abort();
    await worker.stop();
    metricsServer?.close();
    await ctx.events.close();
    await db.close();
    ctx.metrics.close();
    log.info('stopped');
  });
}

/** `start`, `serve`, `worker` and `migrate`: the processes and the schema. */
export function addServerCommands(program: Command): void {
  program
    .command('start')
    .description('Migrate, seed the demo tenant if missing, and serve the API')
    .action(() => serve(true, true));
  program
    .command('serve')
    .description('Migrate and serve the API (never seeds)')
    .action(() => serve(false, false));
  program
    .command('worker')
    .description('Work the job queue (async nodes, expiry sweeps) without serving HTTP; PostgreSQL only')
    .action(() => work());
  program
    .command('migrate')
    .description('Apply pending database migrations')
    .action(async () => {
      const cfg = loadConfig();
      const lock =
        cfg.backend === 'pglite' && lockHolder(cfg.dataDir) === undefined ? lockDataDir(cfg.dataDir) : undefined;
      if (cfg.backend === 'pglite' && !lock)
        throw new UsageError('the server is running and has already migrated this data directory');
      const db = await openConfiguredDb(cfg);
      try {
        const applied = await migrate(db.kysely);
        // graphile-worker's own schema too, so API processes can enqueue before any worker has started.
        if (cfg.backend === 'postgres') await new GraphileJobQueue(cfg.databaseUrl!, db.kysely).prepare();
        process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
        process.stdout.write(`${applied.length}\n`);
      } finally {
        await db.close();
        lock?.release();
      }
    });
}
