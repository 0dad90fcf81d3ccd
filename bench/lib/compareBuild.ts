import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProduct, ROOT } from './servers.js';

export interface RefBuild {
  /** What the user passed (`HEAD`, `main`, a sha…). */
  ref: string;
  sha: string;
  /** The extracted and built checkout, outside the repository. */
  root: string;
  /** `npm ci` or a symlink to this checkout's node_modules. */
  deps: 'symlink' | 'npm ci';
}

const made = new Set<string>();

/** Removes every --compare checkout still on disk (also on Ctrl+C and on failure, through runBench). */
export function removeRefBuilds(): void {
  for (const root of made) removeRefBuild(root);
}

function removeRefBuild(root: string): void {
  // Unlink the node_modules symlink first so that nothing can ever follow it into the shared node_modules.
  const link = join(root, 'node_modules');
  try {
    unlinkSync(link);
  } catch {
    // not a symlink (npm ci) or already gone: removed with the rest below
  }
  rmSync(root, { recursive: true, force: true });
  made.delete(root);
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
}

/**
 * `git archive REF | tar -x` into a fresh directory under the OS temp dir (never inside the repository, so neither
 * tsc, biome nor git of this checkout sees it), its dependencies, then `npm run build` there. Dependencies: when REF's
 * package-lock.json is byte-identical to this checkout's, a symlink to this checkout's node_modules (no network, no
 * minute of `npm ci`); otherwise `npm ci` in the temp directory.
 */
export function prepareRefBuild(ref: string, log: (line: string) => void): RefBuild {
  const sha = git(['rev-parse', '--verify', `${ref}^{commit}`]).trim();
  const root = mkdtempSync(join(tmpdir(), `comerix-bench-${sha.slice(0, 8)}-`));
  made.add(root);
  log(`--compare ${ref}: extracting ${sha.slice(0, 10)} into ${root}`);
  const archive = spawnSync('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C '${root}'`], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (archive.status !== 0) throw new Error(`git archive ${sha} | tar -x failed`);

  let refLock: string | undefined;
  try {
    refLock = git(['show', `${sha}:package-lock.json`]);
  } catch {
    refLock = undefined;
  }
  const ourLock = existsSync(join(ROOT, 'package-lock.json'))
    ? readFileSync(join(ROOT, 'package-lock.json'), 'utf8')
    : undefined;
  let deps: RefBuild['deps'];
  if (refLock !== undefined && refLock === ourLock && existsSync(join(ROOT, 'node_modules'))) {
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(root, 'node_modules'), 'dir');
    deps = 'symlink';
    log('  package-lock.json identical: node_modules symlinked to this checkout’s');
  } else {
    log('  package-lock.json differs: npm ci in the temp checkout (≈ 1 min)');
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (ci.status !== 0) throw new Error(`npm ci in ${root} failed`);
    deps = 'npm ci';
  }
  log(`  building ${sha.slice(0, 10)}`);
  buildProduct(root);
  return { ref, sha, root, deps };
}

export function disposeRefBuild(build: RefBuild): void {
  removeRefBuild(build.root);
}
