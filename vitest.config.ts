import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** PostgreSQL runs when reachable; on CI (CI=true) it must be, so a missing server fails the run instead of hiding. */
async function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(Number(port || defaultPort), hostname);
  });
}

export default defineConfig(async () => {
  const wanted = (process.env.COMERIX_TEST_BACKENDS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  let withPostgres = wanted.includes('postgres');
  if (withPostgres && !(await reachable(TEST_DATABASE_URL, 5432))) {
    if (process.env.CI === 'true') throw new Error(`CI: PostgreSQL is not reachable at ${TEST_DATABASE_URL}`);
    process.stderr.write(
      `\n[comerix] PostgreSQL not reachable at ${TEST_DATABASE_URL}: running the PGlite suite only.\n\n`,
    );
    withPostgres = false;
  }
  // Redis (shared rate-limit counters) the same way: its tests skip without it, except on CI.
  const withRedis = await reachable(TEST_REDIS_URL, 6379);
  if (!withRedis && process.env.CI === 'true') throw new Error(`CI: Redis is not reachable at ${TEST_REDIS_URL}`);
  const integration = (backend: 'pglite' | 'postgres') => ({
    extends: true as const,
    test: {
      name: backend,
      include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
      globalSetup: ['test/support/globalSetup.ts'],
      env: { COMERIX_TEST_BACKEND: backend, TEST_DATABASE_URL, ...(withRedis ? { TEST_REDIS_URL } : {}) },
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  });
  return {
    test: {
      projects: [
        {
          extends: true as const,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          },
        },
        ...(wanted.includes('pglite') ? [integration('pglite')] : []),
        ...(withPostgres ? [integration('postgres')] : []),
      ],
    },
  };
});
