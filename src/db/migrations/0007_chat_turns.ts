import { type Kysely, sql } from 'kysely';

// The transcript is stored one row per turn (DESIGN §6: GET /chat/history; polls read the blocks after a cursor).
//
// A turn wrote one `chat_items` row per entry — what the user sent, then each block — so a trigger that answered with
// two blocks inserted three rows, each with its index entries and two foreign-key checks, although the entries are
// only ever written together and read in order. `chat_turns` keeps a turn's entries as one JSON array, with the range
// of block sequence numbers it holds (`first_seq`..`last_seq`, null when it holds none) so a poll finds the rows after
// its cursor by index. History item ids become `<row id>.<index>`, still increasing in transcript order.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table chat_turns (
    id bigint generated always as identity primary key,
    tenant_id uuid not null,
    conversation_id uuid not null,
    execution_id uuid references executions (id),
    first_seq integer,
    last_seq integer,
    items jsonb not null check (jsonb_typeof(items) = 'array' and jsonb_array_length(items) > 0),
    created_at timestamptz not null default now(),
    constraint chat_turns_conversation_fkey foreign key (tenant_id, conversation_id)
      references conversations (tenant_id, id)
  )`,
  'create index chat_turns_conversation on chat_turns (conversation_id, id)',
  // Two turns never write the same block numbers: the execution's version check orders them.
  'create unique index chat_turns_execution_seq on chat_turns (execution_id, first_seq)',
  // Each old item becomes a row of one entry, in the old order.
  `insert into chat_turns (tenant_id, conversation_id, execution_id, first_seq, last_seq, items, created_at)
   select tenant_id, conversation_id, execution_id, seq, seq,
     jsonb_build_array(case when seq is null then jsonb_build_object('role', role, 'body', body)
       else jsonb_build_object('role', role, 'seq', seq, 'body', body) end),
     created_at
   from chat_items
   order by id`,
  'drop table chat_items',
];
