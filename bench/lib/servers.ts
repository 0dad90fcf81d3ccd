import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The checkout whose build is benchmarked: this one, or BENCH_PRODUCT_DIR (e.g. a `git archive` of a commit, to bench
 * it while src/ here is mid-edit, or to compare two builds with the same harness). It needs dist/ or a build script.
 */
export const PRODUCT_ROOT = process.env.BENCH_PRODUCT_DIR ?? ROOT;
/** Build output kept out of the tree (and out of biome's and git's sight); packages still resolve from node_modules. */
export const CEILING_BUNDLE = join(ROOT, 'node_modules', '.cache', 'comerix-bench', 'ceiling.mjs');

export interface ServerProcess {
  pid: number;
  url: string;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop(): Promise<void>;
  output(): string;
}

/** A port nobody listens on right now (the product cannot report the port it picked for PORT=0, so we pick it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The product runs from its tsc build, the way `comerix start` ships. tsc 7 builds this project in about 2 s, so the
 * bench always rebuilds rather than guessing whether dist/ is older than src/.
 */
export function buildProduct(root: string = PRODUCT_ROOT): void {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed; fix the build (or pass --skip-build to use dist/ as is)');
}

/**
 * The ceiling is bundled by esbuild (the one tsx already brings) into plain ESM JavaScript with packages left
 * external, so it runs on bare `node` like the product's tsc output: no loader or transpile cost on either side.
 */
export function buildCeiling(): void {
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      join(ROOT, 'bench', 'ceiling.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--packages=external',
      `--outfile=${CEILING_BUNDLE}`,
      '--log-level=warning',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('esbuild of bench/ceiling.ts failed');
}

/** Runs one CLI command of the compiled product (of `root`, default PRODUCT_ROOT) to completion; returns its stdout. */
export function runCli(args: string[], env: Record<string, string>, root: string = PRODUCT_ROOT): string {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'main.js'), ...args], {
    cwd: root,
    env: cleanEnv(env),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`comerix ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The heap setting `npm start` runs with and docs/operations.md (Memory) recommends for production: V8's default
 * lets garbage grow the heap to ~250 MB under sustained load, while the live heap stays near 40 MB.
 */
export const HEAP_ARGS = ['--max-old-space-size=192'];

/**
 * `node dist/main.js serve` (of `root`: PRODUCT_ROOT, or a --compare build) on a port of our choosing; resolves once /readyz answers 200. Tuning variables of the
 * bench's own environment (`COMERIX_*`, e.g. COMERIX_CONVERSATION_CACHE_MB=0) reach the server; the backend's win.
 */
export async function startProduct(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  root: string = PRODUCT_ROOT,
): Promise<ServerProcess> {
  const port = await freePort();
  const tuning = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('COMERIX_') && e[1] !== undefined),
  );
  return startProcess(
    [...HEAP_ARGS, ...nodeArgs, join(root, 'dist', 'main.js'), 'serve'],
    {
      ...tuning,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      COMERIX_DEMO: 'off',
    },
    `http://127.0.0.1:${port}`,
  );
}

/** The bundled bare Fastify route (bench/ceiling.ts). */
export async function startCeiling(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  return startProcess([...HEAP_ARGS, CEILING_BUNDLE], { ...env, PORT: String(port) }, `http://127.0.0.1:${port}`);
}

/**
 * Children get only PATH and HOME besides what we pass: a DATABASE_URL in the caller's shell must never turn a PGlite
 * run into a PostgreSQL one.
 */
function cleanEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
}

const running = new Set<ChildProcess>();

/** Called on Ctrl+C and on a crash of the bench: no server outlives it. */
export function killAllStarted(): void {
  for (const child of running) child.kill('SIGKILL');
}

async function startProcess(args: string[], env: Record<string, string>, url: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${args.join(' ')} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} not ready within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid: child.pid!,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
