// The ceiling of DESIGN §17: a bare Fastify 5 route that does what any chat write must do at least — validate a small
// JSON body, 1 INSERT … RETURNING, 1 SELECT of the session's last 10 rows — on the same store as the product.
// Every product scenario is reported as a ratio to this route, measured in the same run.
//
// Run by bench/run.ts as an esbuild bundle on bare node (see buildCeiling in bench/lib/servers.ts).
// Env: PORT, BENCH_BACKEND=postgres|pglite, DATABASE_URL (postgres) or BENCH_PGLITE_DIR (pglite).
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from '../src/db/pgliteDialect.js';
import { preparedStatementPool } from '../src/db/preparedStatements.js';

interface CeilingDb {
  bench_ceiling_messages: {
    id: Generated<number>;
    session_id: string;
    text: string;
    created_at: Generated<Date>;
  };
}

const backend = process.env.BENCH_BACKEND;
let pglite: PGlite | undefined;
let db: Kysely<CeilingDb>;
if (backend === 'postgres') {
  // Same driver setup as the product (src/db/openDatabase.ts): Kysely over a pg Pool of 10, repeated statements
  // prepared — the ceiling gets every database trick the product gets.
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  db = new Kysely({ dialect: new PostgresDialect({ pool: preparedStatementPool(pool) }) });
} else if (backend === 'pglite') {
  // In-process PGlite behind the product's own mutexed dialect (prepared statements included), as the product runs it.
  pglite = await PGlite.create({ dataDir: process.env.BENCH_PGLITE_DIR! });
  db = new Kysely({ dialect: new PGliteDialect(pglite) });
} else {
  throw new Error('BENCH_BACKEND must be postgres or pglite');
}

await sql`create table if not exists bench_ceiling_messages (
  id bigint generated always as identity primary key,
  session_id uuid not null,
  text text not null,
  created_at timestamptz not null default now()
)`.execute(db);
await sql`create index if not exists bench_ceiling_messages_session on bench_ceiling_messages (session_id, id)`.execute(
  db,
);

// The product logs at LOG_LEVEL=warn in the bench; the ceiling gets the same logger so neither pays for more logging.
const app = Fastify({ logger: { level: 'warn' } });

app.get('/readyz', async () => ({ status: 'ready' }));

app.post<{ Body: { sessionId: string; text: string } }>(
  '/messages',
  {
    schema: {
      body: {
        type: 'object',
        required: ['sessionId', 'text'],
        additionalProperties: false,
        properties: { sessionId: { type: 'string', format: 'uuid' }, text: { type: 'string', maxLength: 4000 } },
      },
    },
  },
  async (request) => {
    const { sessionId, text } = request.body;
    const inserted = await db
      .insertInto('bench_ceiling_messages')
      .values({ session_id: sessionId, text })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    const recent = await db
      .selectFrom('bench_ceiling_messages')
      .select(['id', 'text', 'created_at'])
      .where('session_id', '=', sessionId)
      .orderBy('id', 'desc')
      .limit(10)
      .execute();
    return { id: inserted.id, recent };
  },
);

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });

const shutdown = async () => {
  await app.close();
  await db.destroy();
  await pglite?.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
