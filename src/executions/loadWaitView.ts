import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Field } from '../fields/types.js';
import type { ExecutionView, WaitView } from './turnResponse.js';

/** The open wait of an execution that waits (input fields, or a delay's resume time). */
export async function loadWaitView(db: Kysely<Database>, execution: ExecutionView): Promise<WaitView | null> {
  if (!execution.wait_id || (execution.status !== 'waiting_input' && execution.status !== 'waiting_time')) return null;
  const wait = await db
    .selectFrom('waits')
    .select(['kind', 'fields', 'resume_at'])
    .where('id', '=', execution.wait_id)
    .executeTakeFirst();
  if (!wait) return null;
  return wait.kind === 'input'
    ? { kind: 'input', fields: wait.fields as unknown as Field[] }
    : { kind: 'time', resumeAt: wait.resume_at };
}
