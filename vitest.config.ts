import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** PostgreSQL runs when reachable; on CI (CI=true) it must be, so a missing server fails the run instead of hiding. */
async function postgresReachable(url: string): Promise<boolean> {
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
    socket.connect(Number(port || 5432), hostname);
  });
}

export default defineConfig(async () => {
  const wanted = (process.env.COMERIX_TEST_BACKENDS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  let withPostgres = wanted.includes('postgres');
  if (withPostgres && !(await postgresReachable(TEST_DATABASE_URL))) {
    if (process.env.CI === 'true') throw new Error(`CI: PostgreSQL is not reachable at ${TEST_DATABASE_URL}`);
    process.stderr.write(
      `\n[comerix] PostgreSQL not reachable at ${TEST_DATABASE_URL}: running the PGlite suite only.\n\n`,
    );
    withPostgres = false;
  }
  const integration = (backend: 'pglite' | 'postgres') => ({
    extends: true as const,
    test: {
      name: backend,
      include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
      globalSetup: ['test/support/globalSetup.ts'],
      env: { COMERIX_TEST_BACKEND: backend, TEST_DATABASE_URL },
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
