import { describe, expect, it } from 'vitest';
import { Secrets } from '../security/secrets.js';
import { checkWebhookUrl } from './checkWebhookUrl.js';
import { newWebhookSecret, openWebhookSecret, sealWebhookSecret } from './webhookSecret.js';

const secrets = new Secrets(Buffer.alloc(32, 7));

describe('webhook secrets', () => {
  it('seal to their tenant and endpoint: a ciphertext moved to another endpoint does not open', () => {
    const secret = newWebhookSecret();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const sealed = sealWebhookSecret(secrets, 't1', 'e1', secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openWebhookSecret(secrets, 't1', 'e1', sealed)).toBe(secret);
    expect(() => openWebhookSecret(secrets, 't1', 'e2', sealed)).toThrow();
    expect(() => openWebhookSecret(new Secrets(Buffer.alloc(32, 8)), 't1', 'e1', sealed)).toThrow();
  });
});

describe('checkWebhookUrl', () => {
  const lookup = (address: string) => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

  it('refuses a name that resolves to a private or metadata address unless private networks are allowed', async () => {
    for (const address of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '100.64.0.1', 'fd00::1', '::ffff:10.0.0.1']) {
      await expect(
        checkWebhookUrl('https://hooks.example.com/x', { allowPrivateNetworks: false, lookup: lookup(address) }),
      ).rejects.toMatchObject({
        code: 'invalid_request',
        details: { fields: [{ path: 'url', rule: 'public_address' }] },
      });
    }
    const url = await checkWebhookUrl('https://hooks.example.com/x?tenant=1', {
      allowPrivateNetworks: false,
      lookup: lookup('93.184.215.14'),
    });
    expect(url.href).toBe('https://hooks.example.com/x?tenant=1');
    await expect(
      checkWebhookUrl('https://hooks.example.com/x', { allowPrivateNetworks: true, lookup: lookup('10.1.2.3') }),
    ).resolves.toBeInstanceOf(URL);
  });
});
