import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BlobStore, STORAGE_NAME } from './BlobStore.js';

/**
 * Bytes as files under `<dir>/<tenant id>/<storage name>`, owner-only. Written to a temporary name and linked into
 * place, so a reader never sees half a file. For one API node, or several sharing a network directory.
 */
export class DirectoryBlobStore implements BlobStore {
  readonly kind = 'directory' as const;
  constructor(private readonly dir: string) {}

  private path(tenantId: string, storageName: string): string | undefined {
    // Both parts are checked formats (a UUID, 32 hex): nothing a client sends can walk out of the directory.
    if (!STORAGE_NAME.test(storageName) || !/^[0-9a-f-]{36}$/.test(tenantId)) return undefined;
    return join(this.dir, tenantId, storageName);
  }

  async put(tenantId: string, storageName: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(tenantId, storageName);
    if (!path) throw new Error('bad storage name');
    await mkdir(join(this.dir, tenantId), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.partial`;
    await writeFile(temporary, bytes, { mode: 0o600, flag: 'wx' });
    try {
      // A hard link appears whole and fails when the name exists: a name is written once, as in the database.
      await link(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(tenantId: string, storageName: string): Promise<Buffer | undefined> {
    const path = this.path(tenantId, storageName);
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(tenantId: string, storageName: string): Promise<void> {
    const path = this.path(tenantId, storageName);
    if (path) await rm(path, { force: true });
  }
}
