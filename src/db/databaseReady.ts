import { type Kysely, sql } from 'kysely';
import { migrationsApplied } from './migrate.js';
import type { Database } from './types.js';

/** What `/readyz` reports: the database answers and this build's migrations are applied. */
export async function databaseReady(
  db: Kysely<Database>,
): Promise<'ready' | 'migrations_pending' | 'database_unreachable'> {
  try {
    await sql`select 1`.execute(db);
    return (await migrationsApplied(db)) ? 'ready' : 'migrations_pending';
  } catch {
    return 'database_unreachable';
  }
}
