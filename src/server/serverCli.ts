import type { Command } from 'commander';
import { createContext, openConfiguredDb } from '../app/createContext.js';
import { UsageError } from '../cli/UsageError.js';
import { loadConfig } from '../config.js';
import { lockDataDir, lockHolder } from '../db/dataDirLock.js';
import { migrate } from '../db/migrate.js';
import { performHttp } from '../executions/performHttp.js';
import { GraphileJobQueue } from '../jobs/GraphileJobQueue.js';
import { startServer } from './startServer.js';
import { startWorker } from './startWorker.js';

async function serve(seed: boolean, worker: boolean): Promise<void> {
  const server = await startServer(loadConfig(), { seed, worker });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal} received, stopping…\n`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** `comerix worker`: jobs only, for scaling out on PostgreSQL (any number of them). */
async function work(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.backend === 'pglite') {
    throw new UsageError(
      '`worker` needs DATABASE_URL (PostgreSQL); the embedded server (`comerix start`) works its own jobs',
    );
  }
  const db = await openConfiguredDb(cfg);
  const ctx = await createContext(cfg, db, { migrate: true });
  const worker = await startWorker(ctx, {
    http: performHttp,
    log: (msg, err) => process.stderr.write(`${msg}: ${err instanceof Error ? err.message : String(err)}\n`),
  });
  process.stderr.write(`comerix worker running (concurrency ${cfg.workerConcurrency})\n`);
  const shutdown = async () => {
    await worker.stop();
    await ctx.events.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
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
