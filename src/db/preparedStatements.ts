import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Statement texts given a name, at most; beyond this everything else runs unnamed (nothing breaks). */
const MAX_NAMED = 500;
/** A text is named on its second sighting: one-off statements (DDL, migrations) stay unnamed. */
const NAME_AFTER = 2;
/** 0A000 "cached plan must not change result type": a table changed under a prepared statement. */
const PLAN_CHANGED = '0A000';

/**
 * Kysely's pg pool, with repeated parameterised statements run as named prepared statements: PostgreSQL parses,
 * analyses and plans such a statement once per connection instead of on every call — a third of the database's CPU
 * in a chat turn before (bench/README.md). Texts are Kysely's compiled SQL, so one query shape is one name.
 */
export function preparedStatementPool(pool: pg.Pool): PostgresPool {
  const seen = new Map<string, number | string>();
  const unpreparable = new Set<string>();
  let named = 0;

  const nameOf = (text: string, values: readonly unknown[]): string | undefined => {
    if (values.length === 0 || unpreparable.has(text)) return undefined;
    const known = seen.get(text);
    if (typeof known === 'string') return known;
    if (named >= MAX_NAMED) return undefined;
    const count = (known ?? 0) + 1;
    if (count < NAME_AFTER) {
      seen.set(text, count);
      return undefined;
    }
    named += 1;
    const name = `cx_${named}`;
    seen.set(text, name);
    return name;
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = async (text: string, values: readonly unknown[]) => {
        const name = nameOf(text, values);
        if (!name) return client.query(text, values as unknown[]);
        try {
          return await client.query({ name, text, values: values as unknown[] });
        } catch (error) {
          // A migration changed a table a prepared statement reads: run this text unprepared from now on.
          if ((error as { code?: string }).code !== PLAN_CHANGED) throw error;
          unpreparable.add(text);
          seen.delete(text);
          return client.query(text, values as unknown[]);
        }
      };
      return {
        query: ((textOrCursor: unknown, values?: readonly unknown[]) =>
          typeof textOrCursor === 'string'
            ? query(textOrCursor, values ?? [])
            : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
