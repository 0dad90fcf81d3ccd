import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { isPlanChanged, isTransactionAborted, StatementNames } from './StatementNames.js';

/**
 * Kysely's pg pool, with repeated parameterised statements run as named prepared statements: PostgreSQL parses,
 * analyses and plans such a statement once per connection instead of on every call — a third of the database's CPU
 * in a chat turn before (perf on the PostgreSQL backends during `npm run bench -- --only=trigger`).
 */
export function preparedStatementPool(pool: pg.Pool): PostgresPool {
  const names = new StatementNames();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = async (text: string, values: unknown[]) => {
        const name = names.nameOf(text, values);
        if (!name) return client.query(text, values);
        try {
          return await namedQuery(client, name, text, values);
        } catch (error) {
          if (!isPlanChanged(error)) throw error;
          names.forget(text);
          // Inside a transaction the failure aborted it: the caller gets the 0A000 (a turn reruns on it).
          return client.query(text, values).catch((retryError: unknown) => {
            throw isTransactionAborted(retryError) ? error : retryError;
          });
        }
      };
      return {
        query: ((textOrCursor: unknown, values?: readonly unknown[]) =>
          typeof textOrCursor === 'string'
            ? query(textOrCursor, [...(values ?? [])])
            : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}

/**
 * `client.query({name, text, values})` copies its config object through property descriptors on every call (pg's
 * cloneQueryConfig: 1.6 % of the API's CPU in the resume bench). A Query built from the text takes the cheap path;
 * the name is set on it afterwards, which is all pg reads it for.
 */
function namedQuery(client: pg.PoolClient, name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new pg.Query(text, values) as pg.Query & {
      name?: string;
      callback?: (error: Error | null, result: pg.QueryResult) => void;
    };
    query.name = name;
    query.callback = (error, result) => (error ? reject(error) : resolve(result));
    client.query(query);
  });
}
