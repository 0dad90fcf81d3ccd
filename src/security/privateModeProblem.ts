import type { Stats } from 'node:fs';

/**
 * Why another local user could read, write or replace the file or directory `stats` describes, or undefined when it
 * is private: owned by this process's user and closed to group and others. The owner rule is PostgreSQL's own for
 * its data directory; without getuid (Windows) only the mode is checked.
 */
export function privateModeProblem(stats: Stats): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `it is owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  if ((stats.mode & 0o077) !== 0) {
    return `its mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')} lets group or others in`;
  }
  return undefined;
}
