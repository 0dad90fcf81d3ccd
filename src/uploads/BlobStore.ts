/**
 * Where uploaded bytes live (DESIGN §8), behind one narrow interface with one contract test
 * (blobStore.contract.int.test.ts): the database (default; the same on PGlite and across API nodes on PostgreSQL)
 * or a directory (COMERIX_UPLOAD_DIR). Names are random and chosen by us, never by a client.
 */
export interface BlobStore {
  readonly kind: 'database' | 'directory';
  put(tenantId: string, storageName: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when there are none under that name (for that tenant). */
  get(tenantId: string, storageName: string): Promise<Buffer | undefined>;
  /** Removes the bytes; a no-op when already gone. */
  delete(tenantId: string, storageName: string): Promise<void>;
}

/** Storage names are ours: 32 hex characters. Anything else is refused before it reaches a path or a query. */
export const STORAGE_NAME = /^[0-9a-f]{32}$/;
