import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { AppError } from '../errors/AppError.js';
import { isTimeZone } from './timeZone.js';

/** The tenant's analytics time zone (IANA name, DESIGN §13), changed only over the one it replaces; audited. */
export async function setTimeZone(ctx: AppContext, tenantId: string, timeZone: string, actor = 'cli'): Promise<void> {
  if (!isTimeZone(timeZone))
    throw AppError.validation([
      { path: 'timeZone', rule: 'time_zone', message: 'must be an IANA time zone name, e.g. Europe/Paris' },
    ]);
  await ctx.kysely.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('tenants')
      .select('time_zone')
      .where('id', '=', tenantId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('not_found', 'no such tenant');
    await trx
      .updateTable('tenants')
      .set({ time_zone: timeZone })
      .where('id', '=', tenantId)
      .where('time_zone', '=', before.time_zone)
      .execute();
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'tenant.time_zone',
      target: tenantId,
      before: { timeZone: before.time_zone },
      after: { timeZone },
    });
  });
}
