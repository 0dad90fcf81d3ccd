import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import type { OutboundAuth } from '../outbound/types.js';
import { bindingOf } from './bindingOf.js';
import { openConnectionSecret, redactOnOutput } from './connectionSecret.js';
import { findConnectionRow } from './connectionStore.js';
import type { ConnectionAuthConfig, ResolvedConnection } from './connectionTypes.js';
import { SecretDecryptionError } from './secretBox.js';

/**
 * For the job worker only: the tenant's connection `name` with its secret decrypted, ready for `outboundRequest`,
 * or undefined when the tenant has no such connection. The auth object serialises with its secret redacted, but
 * nothing returned here may be stored, logged on purpose or sent to a client.
 */
export async function resolveConnection(
  ctx: AppContext,
  tenantId: string,
  name: string,
): Promise<ResolvedConnection | undefined> {
  const row = await findConnectionRow(ctx.kysely, tenantId, name);
  if (!row) return undefined;
  const config = row.auth_config as ConnectionAuthConfig;
  let secret: Record<string, string> = {};
  if (row.secret_ciphertext) {
    try {
      secret = openConnectionSecret(ctx.secrets, bindingOf(row), row.secret_ciphertext);
    } catch (error) {
      if (error instanceof SecretDecryptionError) {
        // The credential is not used: a row changed outside Comerix must not send it anywhere.
        throw new AppError(
          'internal_error',
          `connection "${name}": its secret does not open for its current base URL and auth settings, so it was not used (${error.message}). If the row was changed outside Comerix, check it and set the secret again.`,
        );
      }
      throw error;
    }
  }
  const field = (key: string): string => {
    const value = secret[key];
    if (typeof value !== 'string')
      throw new AppError('internal_error', `connection "${name}": its secret is incomplete`);
    return value;
  };
  let auth: OutboundAuth;
  switch (row.auth_type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'header':
      auth = { type: 'header', headerName: config.headerName ?? '', value: field('value') };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: field('token') };
      break;
    case 'basic':
      auth = { type: 'basic', username: config.username ?? '', password: field('password') };
      break;
    case 'oauth2_client_credentials':
      auth = {
        type: 'oauth2_client_credentials',
        tokenUrl: config.tokenUrl ?? '',
        clientId: config.clientId ?? '',
        clientSecret: field('clientSecret'),
        ...(config.scope ? { scope: config.scope } : {}),
        ...(config.clientAuth ? { clientAuth: config.clientAuth } : {}),
      };
      break;
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    type: row.type,
    baseUrl: row.base_url,
    auth: redactOnOutput(auth),
    ...(config.defaultModel ? { defaultModel: config.defaultModel } : {}),
  };
}
