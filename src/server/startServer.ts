import type { Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/AppContext.js';
import { buildApp } from '../app/buildApp.js';
import { createContext, openConfiguredDb } from '../app/createContext.js';
import { startControlSocket } from '../cli/controlSocket.js';
import { type Config, displayHost } from '../config.js';
import { type DataDirLock, lockDataDir } from '../db/dataDirLock.js';
import { DEMO_SLUG, type DemoInfo, demoKey, demoOrigins, seedDemo } from '../demo/seedDemo.js';
import { performHttp } from '../executions/performHttp.js';
import { startMetricsServer } from '../metrics/startMetricsServer.js';
import { findTenant } from '../tenants/tenantStore.js';
import { banner } from './banner.js';
import { startWorker } from './startWorker.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  /**
   * Graceful: stops accepting, answers open long polls and ends streams (with their final event) at once, lets
   * in-flight requests and jobs finish, then closes the database. The caller bounds it (COMERIX_SHUTDOWN_SECONDS).
   */
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
    const metricsServer =
      config.metricsPort !== undefined
        ? await startMetricsServer(ctx.metrics, {
            port: config.metricsPort,
            host: config.metricsHost,
            ...(config.metricsToken ? { token: config.metricsToken } : {}),
          })
        : undefined;
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
      process.stdout.write(banner({ url, config, demo, origins: demo?.origins ?? demoOrigins(config) }));
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
        // Long polls answer and streams end now (their final event), so only real work holds the close below.
        ctx.shutdown.abort();
        await Promise.all([app.close(), worker?.stop()]);
        metricsServer?.close();
        await ctx.events.close();
        await db.close();
        ctx.metrics.close();
        lock?.release();
      },
    };
  } catch (error) {
    control?.close();
    lock?.release();
    throw error;
  }
}
