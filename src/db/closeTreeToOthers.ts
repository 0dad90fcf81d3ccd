import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes group and other permissions from every file and directory under `root`. PGlite (Emscripten's NODEFS)
 * sets the modes of the cluster it creates itself, 0666 for most files, whatever the umask says; this closes them
 * after it opens. Symlinks are left alone (their mode is meaningless, and chmod would follow them).
 */
export function closeTreeToOthers(root: string): void {
  const stats = lstatSync(root);
  if (stats.isSymbolicLink()) return;
  if ((stats.mode & 0o077) !== 0) chmodSync(root, stats.mode & 0o7700);
  if (!stats.isDirectory()) return;
  for (const name of readdirSync(root)) closeTreeToOthers(join(root, name));
}
