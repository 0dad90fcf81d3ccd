import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/types.js';

/** Every table of the database (`schema.table`) with a row that, cast to text, contains `needle`. */
export async function tablesContaining(db: Kysely<Database>, needle: string): Promise<string[]> {
  const tables = await sql<{ table_schema: string; table_name: string }>`
    select table_schema, table_name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`.execute(db);
  const found: string[] = [];
  for (const { table_schema, table_name } of tables.rows) {
    const hits = await sql<{ n: number | string }>`
      select count(*) as n from ${sql.table(`${table_schema}.${table_name}`)} as row
      where strpos(row::text, ${needle}) > 0`.execute(db);
    if (Number(hits.rows[0]?.n) > 0) found.push(`${table_schema}.${table_name}`);
  }
  return found;
}
