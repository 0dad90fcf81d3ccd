import { lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { privateModeProblem } from '../security/privateModeProblem.js';

export class DataDirPermissionError extends Error {
  constructor(
    readonly path: string,
    readonly dataDir: string,
    problem: string,
  ) {
    super(
      `Refusing to use the data directory ${dataDir}: ${path === dataDir ? 'the directory' : path} is not private (${problem}). ` +
        `It holds the database and the master key, so it must be readable by this user only. Fix it with: chmod -R go-rwx ${dataDir}` +
        ' (and chown it to the user that runs Comerix).',
    );
  }
}

/**
 * Embedded mode's data directory holds the whole database and the master key. From here on everything this process
 * creates is owner-only (umask 077: the lock file, the master key, the control socket, PGlite's directories), the
 * directory is created 0700 when missing, and an existing one open to group or others is refused.
 *
 * Only the directory and its top-level entries are checked, not the whole tree: a big database has thousands of
 * files, and nothing below a private directory is reachable by another user anyway.
 */
export function preparePrivateDataDir(dataDir: string): void {
  // process.umask cannot be set from a worker thread; the CLI and the server run on the main one.
  if (isMainThread) process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const problem = privateModeProblem(statSync(dataDir));
  if (problem) throw new DataDirPermissionError(dataDir, dataDir, problem);
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const stats = lstatSync(path);
    // A symlink's own mode is always 0777 and says nothing about its target.
    if (stats.isSymbolicLink()) continue;
    const entryProblem = privateModeProblem(stats);
    if (entryProblem) throw new DataDirPermissionError(path, dataDir, entryProblem);
  }
}
