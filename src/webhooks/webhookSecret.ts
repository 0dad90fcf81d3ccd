import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../connections/secretBox.js';
import type { Secrets } from '../security/secrets.js';

const KEY_PURPOSE = 'webhook-secret';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes, what stock verifiers expect. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function aad(tenantId: string, endpointId: string): string {
  return `webhook:${tenantId}:${endpointId}`;
}

/** Sealed to its tenant and endpoint, so a ciphertext copied to another endpoint does not open. */
export function sealWebhookSecret(secrets: Secrets, tenantId: string, endpointId: string, secret: string): string {
  return encryptSecret(secrets.key(KEY_PURPOSE), { secret }, aad(tenantId, endpointId));
}

export function openWebhookSecret(secrets: Secrets, tenantId: string, endpointId: string, sealed: string): string {
  const value = decryptSecret(secrets.key(KEY_PURPOSE), sealed, aad(tenantId, endpointId)).secret;
  if (typeof value !== 'string') throw new Error('the webhook secret is damaged');
  return value;
}
