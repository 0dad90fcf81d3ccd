import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { type BlobStore, STORAGE_NAME } from './BlobStore.js';

/** Bytes in the `blobs` table (bytea). PGlite answers a Uint8Array, node-postgres a Buffer: both become a Buffer. */
export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database' as const;
  constructor(private readonly db: Kysely<Database>) {}

  async put(tenantId: string, storageName: string, bytes: Uint8Array): Promise<void> {
    if (!STORAGE_NAME.test(storageName)) throw new Error('bad storage name');
    await this.db.insertInto('blobs').values({ storage_name: storageName, tenant_id: tenantId, data: bytes }).execute();
  }

  async get(tenantId: string, storageName: string): Promise<Buffer | undefined> {
    if (!STORAGE_NAME.test(storageName)) return undefined;
    const row = await this.db
      .selectFrom('blobs')
      .select('data')
      .where('storage_name', '=', storageName)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row ? Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
  }

  async delete(tenantId: string, storageName: string): Promise<void> {
    if (!STORAGE_NAME.test(storageName)) return;
    await this.db
      .deleteFrom('blobs')
      .where('storage_name', '=', storageName)
      .where('tenant_id', '=', tenantId)
      .execute();
  }
}
