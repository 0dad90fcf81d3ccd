import { type PGlite, parse, protocol } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import type { PoolUse } from '../metrics/Metrics.js';
import { isPlanChanged, StatementNames } from './StatementNames.js';

const { serialize } = protocol;

/**
 * Kysely dialect for the embedded PGlite. PGlite is one session, so the driver hands out its single connection
 * to one holder at a time: without this mutex two Kysely transactions would interleave in the same session
 * (a rolled-back transaction's rows could survive, see notes/node20-stack-findings.md).
 */
export class PGliteDialect implements Dialect {
  private driver: PGliteDriver | undefined;
  constructor(private readonly pglite: PGlite) {}
  /** The one session as a pool of one: held or idle, and how many callers queue for it. */
  use(): PoolUse {
    const holders = this.driver?.holders ?? 0;
    return { total: 1, idle: holders === 0 ? 1 : 0, waiting: Math.max(0, holders - 1) };
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    this.driver = new PGliteDriver(this.pglite);
    return this.driver;
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private tail: Promise<void> = Promise.resolve();
  /** The caller holding the session plus those queued for it. */
  holders = 0;

  constructor(pglite: PGlite) {
    this.connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.tail;
    this.holders += 1;
    this.tail = new Promise<void>((resolve) => {
      let released = false;
      release = () => {
        if (released) return;
        released = true;
        this.holders -= 1;
        resolve();
      };
    });
    await previous;
    this.connection.release = release;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'begin', parameters: [] } as unknown as CompiledQuery);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'commit', parameters: [] } as unknown as CompiledQuery);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'rollback', parameters: [] } as unknown as CompiledQuery);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).release?.();
  }
  async destroy(): Promise<void> {
    await this.tail;
  }
}

/** A statement prepared in PGlite's session: its parameter types (for serialising) and its row description. */
interface Prepared {
  name: string;
  paramTypes: number[];
  rowDescription: BackendMessage | undefined;
}

type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

class PGliteConnection implements DatabaseConnection {
  release?: () => void;
  private readonly names = new StatementNames();
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const text = compiledQuery.sql;
    const values = [...compiledQuery.parameters];
    const name = this.names.nameOf(text, values);
    if (name) {
      try {
        return await this.executePrepared<R>(name, text, values);
      } catch (error) {
        if (!isPlanChanged(error)) throw error;
        this.names.forget(text);
        this.prepared.delete(text);
        // Inside a transaction the failure aborted it: the caller gets the 0A000 (a turn reruns on it).
        if (this.pglite.isInTransaction()) throw error;
      }
    }
    const result = await this.pglite.query<R>(text, values);
    return toQueryResult(result.rows, result.affectedRows);
  }

  /**
   * PGlite's `query` parses, describes and plans every statement anew; in PGlite that is most of a short
   * statement's cost. A repeated one is parsed once into a named statement and then only bound and executed (in a
   * micro-benchmark of 5,000 each: an INSERT … RETURNING 292 → 112 µs, a primary-key SELECT 191 → 70 µs).
   */
  private async executePrepared<R>(name: string, text: string, values: unknown[]): Promise<QueryResult<R>> {
    let statement = this.prepared.get(text);
    if (!statement) {
      const described = await this.pglite.execProtocol(
        concat([serialize.parse({ name, text, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      );
      statement = {
        name,
        paramTypes: parse.parseDescribeStatementResults(described.messages),
        rowDescription: described.messages.find((m) => m.name === 'rowDescription'),
      };
      this.prepared.set(text, statement);
    }
    const serialized = values.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pglite.serializers[statement.paramTypes[i]!];
      return serializer ? serializer(value) : String(value);
    });
    const executed = await this.pglite.execProtocol(
      concat([serialize.bind({ statement: name, values: serialized }), serialize.execute({}), serialize.sync()]),
    );
    const messages = statement.rowDescription ? [statement.rowDescription, ...executed.messages] : executed.messages;
    const [result] = parse.parseResults(messages, this.pglite.parsers);
    return toQueryResult(result?.rows as R[], result?.affectedRows);
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported by PGlite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect does not support streaming');
  }
}

function toQueryResult<R>(rows: R[] | undefined, affected: number | undefined): QueryResult<R> {
  return { rows: rows ?? [], ...(affected !== undefined ? { numAffectedRows: BigInt(affected) } : {}) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
