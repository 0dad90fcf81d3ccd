import { type Kysely, sql } from 'kysely';

// Per-key rate limit overrides (DESIGN §12, `widget-key:update --rate-limit`): bucket name → { max, windowSeconds? }.
// Empty means the defaults (and COMERIX_RATE_LIMIT_OVERRIDES) apply; the API reads it with the key row it already
// loads, so no request pays an extra read for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table public_keys add column rate_limits jsonb not null default '{}'::jsonb`.execute(db);
}
