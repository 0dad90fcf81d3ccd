import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/AppContext.js';
import type { PublicKey } from '../../db/types.js';
import { AppError } from '../../errors/AppError.js';
import { findActiveKey } from '../../keys/keyStore.js';

/**
 * The public key of a request, from `?publicKey=`, the `X-Comerix-Public-Key` header or a `publicKey` body field
 * (DESIGN §8) — or, for a multipart upload, a `publicKey` part sent before the file part (`fromPart`); several that
 * disagree are a malformed request, an unknown or revoked one is `invalid_public_key`.
 */
export async function publicKeyAuth(ctx: AppContext, request: FastifyRequest, fromPart?: string): Promise<PublicKey> {
  const given = new Set<string>();
  if (fromPart !== undefined) given.add(fromPart);
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.publicKey === 'string') given.add(query.publicKey);
  const header = request.headers['x-comerix-public-key'];
  if (typeof header === 'string') given.add(header);
  const body = request.body as Record<string, unknown> | null | undefined;
  if (typeof body === 'object' && body !== null && typeof body.publicKey === 'string') given.add(body.publicKey);
  if (given.size > 1) {
    throw new AppError('invalid_request', 'The public key was given more than once, with different values.');
  }
  const [value] = given;
  const key = value === undefined ? undefined : await findActiveKey(ctx.kysely, value);
  if (!key) throw new AppError('invalid_public_key', 'The public key is unknown or revoked.');
  return key;
}
