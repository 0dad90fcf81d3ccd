import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { AppContext } from '../app/AppContext.js';
import { newId } from '../db/newId.js';
import { AppError } from '../errors/AppError.js';
import type { Field } from '../fields/types.js';
import { insertUpload } from './uploadStore.js';

/** The limit a file field without `maxSizeBytes` gets (DESIGN §8). */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** The largest `maxSizeBytes` a field may set (fieldSchema.ts): the multipart parser's own hard cap. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** An unreferenced upload is removed this long after it arrived. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

export interface FileRef {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
}

export type UploadOwner =
  | { kind: 'form'; formId: string; publicKeyId: string }
  | { kind: 'chat'; conversationId: string; executionId: string };

/**
 * Stores one file for a file field (DESIGN §8): the size limit is enforced while reading (413, nothing kept), the type
 * is sniffed from the bytes and never taken from the client (415 when the field does not accept it), the bytes go to
 * the blob store under a random name and the metadata row expires unless a submission or resume references it.
 */
export async function storeUpload(
  ctx: AppContext,
  input: {
    tenantId: string;
    owner: UploadOwner;
    field: Field;
    filename: string;
    claimedType: string;
    stream: Readable;
  },
): Promise<FileRef> {
  const limit = input.field.maxSizeBytes ?? DEFAULT_MAX_FILE_BYTES;
  const bytes = await readLimited(input.stream, limit);
  const contentType = await sniffAccepted(bytes, input.field, input.claimedType);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const storageName = randomBytes(16).toString('hex');
  const now = new Date();
  await ctx.blobs.put(input.tenantId, storageName, bytes);
  try {
    const row = await insertUpload(ctx.kysely, {
      id: newId(),
      tenant_id: input.tenantId,
      public_key_id: input.owner.kind === 'form' ? input.owner.publicKeyId : null,
      form_id: input.owner.kind === 'form' ? input.owner.formId : null,
      conversation_id: input.owner.kind === 'chat' ? input.owner.conversationId : null,
      execution_id: input.owner.kind === 'chat' ? input.owner.executionId : null,
      field: input.field.name,
      name: displayName(input.filename),
      storage_name: storageName,
      size: bytes.length,
      content_type: contentType,
      sha256,
      expires_at: new Date(now.getTime() + UPLOAD_TTL_MS),
    });
    return { id: row.id, name: row.name, size: Number(row.size), contentType: row.content_type, sha256: row.sha256 };
  } catch (error) {
    await ctx.blobs.delete(input.tenantId, storageName).catch(() => {});
    throw error;
  }
}

/** Reads the whole part, refusing it the moment it passes `limit` (the rest is never buffered). */
async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit || (stream as Readable & { truncated?: boolean }).truncated) {
      stream.destroy();
      throw new AppError(
        'payload_too_large',
        `The file is larger than ${limit} bytes.`,
        { limit },
        { connection: 'close' },
      );
    }
    chunks.push(chunk);
  }
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    throw new AppError('payload_too_large', `The file is larger than ${limit} bytes.`, { limit });
  }
  return Buffer.concat(chunks, size);
}

/** The type from the bytes; text types (which have no signature) only when the bytes are UTF-8 text. */
async function sniffAccepted(bytes: Buffer, field: Field, claimed: string): Promise<string> {
  const sniffed = (await fileTypeFromBuffer(bytes))?.mime;
  const accept = field.accept;
  if (sniffed !== undefined) {
    if (!accept || accept.some((pattern) => matches(pattern, sniffed))) return sniffed;
    throw unsupported(sniffed, accept);
  }
  const claimedType = claimed.split(';')[0]!.trim().toLowerCase();
  if (isText(bytes)) {
    const textType = claimedType.startsWith('text/') ? claimedType : 'text/plain';
    if (!accept || accept.some((pattern) => matches(pattern, textType))) return textType;
    throw unsupported(textType, accept);
  }
  if (!accept) return 'application/octet-stream';
  throw unsupported('an unrecognised type', accept);
}

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function unsupported(type: string, accept: string[]): AppError {
  return new AppError('unsupported_media_type', `The file is ${type}; this field accepts ${accept.join(', ')}.`, {
    accept,
  });
}

/** The client's name for display: no path, no control characters, at most 200 characters. */
function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const clean = [...base.replace(/[\p{Cc}\p{Cf}]/gu, '').trim()].slice(0, 200).join('');
  return clean || 'file';
}
