import {
  type Compilable,
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type { Database } from './types.js';

/** Builds queries without a database: only their SQL text and parameters are used. */
const builder = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * A query built once with Kysely (typed columns, quoted identifiers) and then run with new values, skipping the
 * builder and the compiler on every call: the hot paths' reads, where building cost more CPU than the database
 * round trip's own client work. `build` gets a placeholder for each named value; constants stay as built. The SQL
 * text is one string for the life of the process, which also makes it a cheap prepared-statement key.
 */
export function precompile<P extends string, R>(
  names: readonly P[],
  build: (db: Kysely<Database>, values: Record<P, string>) => Compilable<R>,
): (db: Kysely<Database>, values: Record<P, unknown>) => Promise<R[]> {
  const marks = Object.fromEntries(names.map((n) => [n, `\u0000${n}`])) as Record<P, string>;
  const compiled = build(builder, marks).compile();
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith('\u0000') ? (value.slice(1) as P) : undefined,
  );
  const missing = names.filter((n) => !slots.includes(n));
  if (missing.length > 0) throw new Error(`precompile: the query does not use ${missing.join(', ')}`);
  return async (db, values) => {
    const parameters = compiled.parameters.map((constant, i) => {
      const slot = slots[i];
      return slot === undefined ? constant : values[slot];
    });
    return (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters))).rows;
  };
}
