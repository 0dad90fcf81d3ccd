import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Runs the real CLI from the sources (no build needed) as its own process. */
export function spawnComerix(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'warn',
      COMERIX_RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function runComerix(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnComerix(args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Waits for the start banner and reads the URL and demo key from it. */
export async function waitForBanner(
  p: Spawned,
  timeoutMs = 150_000,
): Promise<{ url: string; key: string | undefined }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /Comerix is running at (\S+)/.exec(p.stdout());
    if (match && /Stop with Ctrl\+C/.test(p.stdout())) {
      return { url: match[1]!, key: /Demo key\s+(pk_live_[0-9a-f]{32})/.exec(p.stdout())?.[1] };
    }
    if (p.child.exitCode !== null) throw new Error(`comerix exited ${p.child.exitCode}: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no banner within ${timeoutMs} ms; stdout: ${p.stdout()} stderr: ${p.stderr()}`);
}
