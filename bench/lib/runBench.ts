import { disposeAll } from './backends.js';
import { removeRefBuilds } from './compareBuild.js';
import { killAllStarted } from './servers.js';

/**
 * Runs a bench entry point so that it never leaves a server process or a bench database behind: on Ctrl+C, on
 * SIGTERM and on failure every started process is killed, every created database dropped and every --compare
 * checkout removed.
 */
export function runBench(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllStarted();
      void disposeAll().finally(() => {
        removeRefBuilds();
        process.exit(130);
      });
    });
  }
  main().catch(async (error: unknown) => {
    killAllStarted();
    await disposeAll();
    removeRefBuilds();
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
