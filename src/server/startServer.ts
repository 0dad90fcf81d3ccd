import type { Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/AppContext.js';
import { buildApp } from '../app/buildApp.js';
import { createContext, openConfiguredDb } from '../app/createContext.js';
import { startControlSocket } from '../cli/controlSocket.js';
import { type Config, displayHost } from '../config.js';
import { type DataDirLock, lockDataDir } from '../db/dataDirLock.js';
import { DEMO_ORIGINS, DEMO_SLUG, type DemoInfo, demoKey, seedDemo } from '../demo/seedDemo.js';
import { performHttp } from '../executions/performHttp.js';
import { findTenant } from '../tenants/tenantStore.js';
import { banner } from './banner.js';
import { startWorker } from './startWorker.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

/**
 * `start` (seeds the demo) and `serve` (never seeds): migrate, listen, and in embedded mode hold the data directory
 * lock and answer CLI commands on the control socket. Prints the banner on stdout whatever LOG_LEVEL says.
 */
export async function startServer(
  config: Config,
  options: { seed: boolean; worker: boolean; printBanner?: boolean },
): Promise<RunningServer> {
  let lock: DataDirLock | undefined;
  if (config.backend === 'pglite') lock = lockDataDir(config.dataDir);
  let control: Server | undefined;
  try {
    const db = await openConfiguredDb(config);
    const ctx = await createContext(config, db, { migrate: true });
    let demo: DemoInfo | undefined;
    if (options.seed && config.demo) demo = await seedDemo(ctx);
    else {
      const tenant = await findTenant(ctx, DEMO_SLUG);
      if (tenant) demo = { tenantId: tenant.id, publicKey: await demoKey(ctx, tenant.id), created: false };
    }
    const app = await buildApp(ctx, {
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    });
    await app.listen({ port: config.port, host: config.host });
    if (config.backend === 'pglite') control = await startControlSocket(ctx, config.dataDir);
    // Embedded mode has one process, so it always works its own jobs; on PostgreSQL `serve` leaves them to workers.
    const worker =
      options.worker || config.backend === 'pglite'
        ? await startWorker(ctx, { http: performHttp, log: (msg, err) => app.log.warn({ err }, msg) })
        : undefined;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    if (!config.publicUrlExplicit) config.publicUrl = `http://${displayHost(config.host)}:${port}`;
    const url = config.publicUrl;
    if (options.printBanner !== false) {
      process.stdout.write(banner({ url, config, demo, origins: DEMO_ORIGINS }));
    }
    let stopped = false;
    return {
      app,
      ctx,
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        control?.close();
        ctx.shutdown.abort();
        await worker?.stop();

        await app.close();
        await ctx.events.close();
        await db.close();
        lock?.release();
      },
    };
  } catch (error) {
    control?.close();
    lock?.release();
    throw error;
  }
}
