import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { newId } from '../db/newId.js';
import type { Tenant } from '../db/types.js';
import { AppError } from '../errors/AppError.js';

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function createTenant(ctx: AppContext, input: { name: string; slug: string }): Promise<Tenant> {
  if (!SLUG.test(input.slug)) {
    throw new AppError('invalid_request', 'slug must be lowercase letters, digits and dashes (1–63 characters)');
  }
  if (!input.name.trim()) throw new AppError('invalid_request', 'name must not be empty');
  const existing = await ctx.kysely
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', input.slug)
    .executeTakeFirst();
  if (existing) throw new AppError('invalid_request', `a tenant with slug "${input.slug}" already exists`);
  return ctx.kysely
    .insertInto('tenants')
    .values({ id: newId(), name: input.name.trim(), slug: input.slug })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Accepts a tenant id or slug, as every CLI `--tenant` flag does. */
export async function findTenant(ctx: AppContext, idOrSlug: string): Promise<Tenant | undefined> {
  const q = ctx.kysely.selectFrom('tenants').selectAll();
  return isUuid(idOrSlug)
    ? q.where('id', '=', idOrSlug.toLowerCase()).executeTakeFirst()
    : q.where('slug', '=', idOrSlug).executeTakeFirst();
}

/** Slug by tenant id, for listings. */
export async function tenantSlugs(ctx: AppContext): Promise<Map<string, string>> {
  const rows = await ctx.kysely.selectFrom('tenants').select(['id', 'slug']).execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

export async function requireTenant(ctx: AppContext, idOrSlug: string): Promise<Tenant> {
  const tenant = await findTenant(ctx, idOrSlug);
  if (!tenant) throw new AppError('not_found', `no tenant "${idOrSlug}"`);
  return tenant;
}

/** Days raw transcripts, events, uploads and delivery logs are kept (null: until deleted); DESIGN §12. */
export async function setRetentionDays(
  ctx: AppContext,
  tenantId: string,
  days: number | null,
  actor = 'cli',
): Promise<void> {
  if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 36_500)) {
    throw AppError.validation([{ path: 'retentionDays', rule: 'range', message: 'must be 1–36500 days, or null' }]);
  }
  await ctx.kysely.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('tenants')
      .select('retention_days')
      .where('id', '=', tenantId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('not_found', 'no such tenant');
    await trx.updateTable('tenants').set({ retention_days: days }).where('id', '=', tenantId).execute();
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'tenant.retention',
      target: tenantId,
      before: { retentionDays: before.retention_days },
      after: { retentionDays: days },
    });
  });
}
