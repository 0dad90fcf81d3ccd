import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Secrets } from '../security/secrets.js';
import { bindingOf } from './bindingOf.js';
import { isLegacyCiphertext, openLegacyConnectionSecret, sealConnectionSecret } from './connectionSecret.js';
import { legacySealedRows, setSecretCiphertext } from './connectionStore.js';
import { SecretDecryptionError } from './secretBox.js';

export interface ResealResult {
  /** v1 secrets now sealed as v2, bound to their row's current base URL and auth settings. */
  resealed: number;
  /** v1 secrets that did not open with this master key: left as they are, so resolving them fails loudly. */
  unreadable: number;
}

/**
 * Upgrades connection secrets sealed in the v1 format (bound to tenant and connection id only) to v2 (bound to the
 * base URL and auth settings too), in one transaction, at start-up (the only time both the master key and the
 * database are at hand; a SQL migration has no key). From then on only v2 opens, so a row whose base URL is changed
 * in SQL no longer yields its credential.
 *
 * The v1 row's settings are trusted as they are at this moment: that is the one window, and it is no wider than
 * v1's own. Legacy ciphertexts are recognised by their format, so an attacker with database write access who kept a
 * copy of one from before the upgrade could plant it again and have the next start re-seal it; the count is
 * returned for the start-up log so that this shows, and re-entering secrets after upgrading closes it.
 */
export async function resealLegacyConnectionSecrets(kysely: Kysely<Database>, secrets: Secrets): Promise<ResealResult> {
  return kysely.transaction().execute(async (trx) => {
    const rows = await legacySealedRows(trx);
    const result: ResealResult = { resealed: 0, unreadable: 0 };
    for (const row of rows) {
      if (!row.secret_ciphertext || !isLegacyCiphertext(row.secret_ciphertext)) continue;
      let secret: Record<string, string>;
      try {
        secret = openLegacyConnectionSecret(
          secrets,
          { tenantId: row.tenant_id, connectionId: row.id },
          row.secret_ciphertext,
        );
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        result.unreadable += 1;
        continue;
      }
      const sealed = sealConnectionSecret(secrets, bindingOf(row), secret);
      await setSecretCiphertext(trx, row.id, sealed);
      result.resealed += 1;
    }
    return result;
  });
}
