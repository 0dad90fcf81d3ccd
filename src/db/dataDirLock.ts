import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { preparePrivateDataDir } from './privateDataDir.js';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another Comerix server (pid ${pid}) is already using the data directory ${dataDir}. Stop it first, or use its CLI commands while it runs.`,
    );
  }
}

export interface DataDirLock {
  release(): void;
}

/** Who holds the data directory right now, if a live process does. */
export function lockHolder(dataDir: string): number | undefined {
  const pid = readPid(join(dataDir, 'comerix.lock'));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * PGlite has no lock of its own, and two processes writing one directory corrupt it. The lock file holds the
 * owner's pid; a lock whose process is gone (killed, crashed) is stale and taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  // Taking the lock is the first write into the directory, so it is where a directory open to others is refused.
  preparePrivateDataDir(dataDir);
  const file = join(dataDir, 'comerix.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readPid(file) === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = readPid(file);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) throw new DataDirLockedError(dataDir, pid);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
