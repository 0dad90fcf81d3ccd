import { type Kysely, sql } from 'kysely';

// Foreign keys of the chat-turn tables that say more and cost less (DESIGN §3: everything belongs to one tenant).
//
// Before, every row of executions, chat_items and waits carried a separate `tenant_id → tenants` key next to its
// parent key: an existence check of the tenant (which nothing ever deletes) that did not even prove the row and its
// parent belong to the same tenant, and that every concurrent turn ran against the one shared tenant row (a FOR KEY
// SHARE lock per check: 5 of a trigger's 13 checks). Now the parent keys carry the tenant or the conversation:
// - executions (tenant_id, conversation_id) → conversations: the execution's conversation is the tenant's;
// - executions (conversation_id, session_id) → sessions: its session belongs to that conversation;
// - executions (tenant_id, flow_id, flow_version_id) → flow_versions: the pinned version is the tenant's and is a
//   version of that flow;
// - chat_items (tenant_id, conversation_id) → conversations; waits and chat_items keep `execution_id → executions`.
// A trigger runs 10 checks instead of 13, none of them on the tenant row.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  'create unique index conversations_tenant_id on conversations (tenant_id, id)',
  // Replaces sessions_conversation (conversation_id): the same lookups, and a key the executions can reference.
  'create unique index sessions_conversation_id on sessions (conversation_id, id)',
  'drop index sessions_conversation',
  'create unique index flow_versions_tenant_flow_id on flow_versions (tenant_id, flow_id, id)',

  `alter table executions
    drop constraint executions_tenant_id_fkey,
    drop constraint executions_conversation_id_fkey,
    drop constraint executions_session_id_fkey,
    drop constraint executions_flow_id_fkey,
    drop constraint executions_flow_version_id_fkey,
    add constraint executions_conversation_fkey foreign key (tenant_id, conversation_id)
      references conversations (tenant_id, id) not valid,
    add constraint executions_session_fkey foreign key (conversation_id, session_id)
      references sessions (conversation_id, id) not valid,
    add constraint executions_flow_version_fkey foreign key (tenant_id, flow_id, flow_version_id)
      references flow_versions (tenant_id, flow_id, id) not valid`,
  'alter table executions validate constraint executions_conversation_fkey',
  'alter table executions validate constraint executions_session_fkey',
  'alter table executions validate constraint executions_flow_version_fkey',

  `alter table chat_items
    drop constraint chat_items_tenant_id_fkey,
    drop constraint chat_items_conversation_id_fkey,
    add constraint chat_items_conversation_fkey foreign key (tenant_id, conversation_id)
      references conversations (tenant_id, id) not valid`,
  'alter table chat_items validate constraint chat_items_conversation_fkey',

  'alter table waits drop constraint waits_tenant_id_fkey',
];
