import { disposeAll } from './backends.js';
import { killAllStarted } from './servers.js';

/**
 * Runs a bench entry point so that it never leaves a server process or a bench database behind: on Ctrl+C, on
 * SIGTERM and on failure every started process is killed and every created database dropped.
 */
export function runBench(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllStarted();
      void disposeAll().finally(() => process.exit(130));
    });
  }
  main().catch(async (error: unknown) => {
    killAllStarted();
    await disposeAll();
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
