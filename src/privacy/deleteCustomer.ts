import { createHash } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { dbErrorKind } from '../db/sqlState.js';
import { AppError } from '../errors/AppError.js';
import { continueJobKey } from '../executions/persistStep.js';
import { customerFootprint, isEmptyFootprint } from './customerFootprint.js';
import { type ErasedCounts, eraseCustomerRows } from './eraseCustomerRows.js';
import { purgeBlobs } from './purgeBlobs.js';

export interface CustomerDeletion {
  customerId: string;
  deleted: ErasedCounts;
}

const ATTEMPTS = 3;

/**
 * Deletes everything held about a customer (DESIGN §12) in one transaction: either all of it goes or none does. The
 * customer's conversations are locked first, so a turn racing the deletion waits and then finds its conversation gone;
 * pending jobs of their time waits are cancelled in the same transaction. Uploaded bytes are queued for removal there
 * and removed right after the commit (or by the next sweep). A customer of whom nothing is held → 404 `not_found`,
 * as for another tenant's customer. The audit entry (same transaction) names the customer by a SHA-256 of their id and
 * holds counts only: the log proves the erasure of a known id without keeping the id itself.
 */
export async function deleteCustomer(
  ctx: AppContext,
  tenantId: string,
  customerId: string,
  actor: string,
): Promise<CustomerDeletion> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ctx.kysely.transaction().execute(async (trx) => {
        const footprint = await customerFootprint(trx, tenantId, customerId, { lock: true });
        if (isEmptyFootprint(footprint)) return undefined;
        for (const e of footprint.executions) {
          if (e.status === 'waiting_time' && e.wait_id) await ctx.jobs.cancel(trx, continueJobKey(e.wait_id));
        }
        const { counts, blobs } = await eraseCustomerRows(trx, tenantId, customerId, footprint);
        await recordAudit(trx, {
          tenantId,
          actor,
          action: 'customer.delete',
          target: `customer:${createHash('sha256').update(customerId).digest('hex')}`,
          after: counts,
        });
        return { deleted: counts, blobs };
      });
      if (!result) throw new AppError('not_found', 'No data is held about this customer.');
      // The rows are gone; bytes the store fails to remove now stay queued for the next sweep.
      await purgeBlobs(ctx, result.blobs).catch(() => undefined);
      // Cached sessions of the customer answer 401 at once in every process.
      await ctx.events.announce('sessions');
      return { customerId, deleted: result.deleted };
    } catch (error) {
      if (dbErrorKind(error) !== 'conflict') throw error;
      if (attempt >= ATTEMPTS) {
        throw new AppError('conversation_busy', "The customer's data kept changing; retry.", undefined, {
          'Retry-After': '1',
        });
      }
    }
  }
}
