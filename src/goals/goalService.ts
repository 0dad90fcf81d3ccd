import type { AppContext } from '../app/AppContext.js';
import { newId } from '../db/newId.js';
import type { Goal } from '../db/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import { EVENT_TYPE } from '../telemetry/eventSchemas.js';
import { deleteGoal, insertGoal, listGoals } from './goalStore.js';

export const GOAL_KEY = /^[a-z][a-z0-9_]{0,63}$/;

export interface CreateGoalInput {
  tenantId: string;
  key: string;
  name: string;
  /** Reached by events of this type; without it only `goal` nodes naming the key reach it. */
  eventType?: string;
  /** Each property must equal this text (the property's text form: 5 matches "5", true matches "true"). */
  properties?: Record<string, string>;
}

export async function createGoal(ctx: AppContext, input: CreateGoalInput): Promise<Goal> {
  const issues: FieldIssue[] = [];
  if (!GOAL_KEY.test(input.key)) {
    issues.push({ path: 'key', rule: 'format', message: 'must be snake_case: ^[a-z][a-z0-9_]{0,63}$' });
  }
  if (!input.name.trim()) issues.push({ path: 'name', rule: 'required', message: 'must not be empty' });
  if (input.eventType !== undefined && !EVENT_TYPE.test(input.eventType)) {
    issues.push({ path: 'eventType', rule: 'format', message: 'must be snake_case: ^[a-z][a-z0-9_]{0,63}$' });
  }
  const properties = input.properties ?? {};
  if (Object.keys(properties).length > 0 && input.eventType === undefined) {
    issues.push({ path: 'properties', rule: 'needs_event_type', message: 'a property filter needs an event type' });
  }
  for (const key of Object.keys(properties)) {
    if (!key || key.length > 64)
      issues.push({ path: `properties.${key}`, rule: 'format', message: 'bad property name' });
  }
  if (issues.length > 0) {
    throw new AppError('invalid_request', `${issues[0]!.path} ${issues[0]!.message}`, { fields: issues });
  }
  const goal = await insertGoal(ctx.kysely, {
    id: newId(),
    tenant_id: input.tenantId,
    key: input.key,
    name: input.name.trim(),
    event_type: input.eventType ?? null,
    property_filter: properties,
  });
  if (!goal) throw new AppError('invalid_request', `a goal with key "${input.key}" already exists`);
  return goal;
}

export async function goalsOf(ctx: AppContext, tenantId: string): Promise<Goal[]> {
  return listGoals(ctx.kysely, tenantId);
}

export async function removeGoal(ctx: AppContext, tenantId: string, key: string): Promise<Goal> {
  const goal = await deleteGoal(ctx.kysely, tenantId, key);
  if (!goal) throw new AppError('not_found', `no goal "${key}"`);
  return goal;
}
