import { type RawBuilder, sql } from 'kysely';

/** A uuid[] parameter (ids we read from our own rows, so always well-formed), the same on PGlite and node-postgres. */
export function uuidArray(ids: readonly string[]): RawBuilder<string[]> {
  return sql<string[]>`${`{${ids.join(',')}}`}::uuid[]`;
}
