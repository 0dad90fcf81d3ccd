import type { Field } from '../fields/types.js';
import type { StoredExecution, WaitView } from './turnResponse.js';

/** The open wait of an execution read back from the database (input fields, or a delay's resume time). */
export function storedWaitView(execution: StoredExecution): WaitView | null {
  if (!execution.wait_id || (execution.status !== 'waiting_input' && execution.status !== 'waiting_time')) return null;
  if (execution.wait_kind === 'input') return { kind: 'input', fields: (execution.wait_fields ?? []) as Field[] };
  if (execution.wait_kind === 'time') return { kind: 'time', resumeAt: execution.wait_resume_at };
  return null;
}
