import type { AppContext } from '../app/AppContext.js';
import { isUuid } from '../db/isUuid.js';
import { AppError } from '../errors/AppError.js';
import { findUpload } from './uploadStore.js';

export interface AdminFile {
  bytes: Buffer;
  /** The response headers a file must go out with (DESIGN §8): never rendered inline, never sniffed, sandboxed. */
  headers: Record<string, string>;
}

/**
 * An uploaded file for the admin (the Admin API's download route serves this as is). It goes out as an attachment
 * with nosniff and a CSP that sandboxes it, so a hostile upload can never run in the admin's origin.
 */
export async function uploadForAdmin(ctx: AppContext, tenantId: string, uploadId: string): Promise<AdminFile> {
  const upload = isUuid(uploadId) ? await findUpload(ctx.kysely, tenantId, uploadId) : undefined;
  const bytes = upload ? await ctx.blobs.get(tenantId, upload.storage_name) : undefined;
  if (!upload || !bytes) throw new AppError('not_found', 'no such upload');
  const ascii = upload.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    bytes,
    headers: {
      'content-type': upload.content_type,
      'content-length': String(bytes.length),
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(upload.name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    },
  };
}
