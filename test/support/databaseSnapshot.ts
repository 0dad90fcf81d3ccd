import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/types.js';

/**
 * A fingerprint of every row of every table (`schema.table` → md5 of its rows' text, in order): two equal snapshots
 * mean nothing was inserted, updated or deleted in between. Works the same on PGlite and PostgreSQL.
 */
export async function databaseSnapshot(db: Kysely<Database>): Promise<Record<string, string>> {
  const tables = await sql<{ table_schema: string; table_name: string }>`
    select table_schema, table_name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`.execute(db);
  const out: Record<string, string> = {};
  for (const { table_schema, table_name } of tables.rows) {
    const name = `${table_schema}.${table_name}`;
    const row = await sql<{ digest: string | null; n: number | string }>`
      select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest, count(*) as n
      from ${sql.table(name)} as t`.execute(db);
    out[name] = `${row.rows[0]?.n}:${row.rows[0]?.digest}`;
  }
  return out;
}
