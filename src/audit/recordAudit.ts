import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/types.js';
import { canonicalJson } from '../http/idempotency.js';

/**
 * Appends an audit entry (`actor`: `admin:<userId>`, `cli`, `sk:<keyId>`; `action`: `<thing>.<verb>` such as
 * `flow.publish`; `target`: the id of what changed); pass the transaction of the change so both are written or neither. Only a SHA-256 of the
 * canonical JSON of `before`/`after` is kept: it shows whether and when a thing changed without copying secrets or a
 * customer's data into the log.
 */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  entry: { tenantId: string; actor: string; action: string; target: string; before?: unknown; after?: unknown },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: entry.tenantId,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      before_digest: digestOf(entry.before),
      after_digest: digestOf(entry.after),
    })
    .execute();
}

/** Dates and other toJSON values as JSON shows them, then keys sorted: equal things digest alike. */
export function digestOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const plain: unknown = JSON.parse(JSON.stringify(value));
  return createHash('sha256').update(canonicalJson(plain)).digest('hex');
}
