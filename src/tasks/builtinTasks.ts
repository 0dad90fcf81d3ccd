import { orderLookup } from './orderLookup.js';
import { TaskRegistry } from './TaskRegistry.js';

/** Handlers every worker has, plus those of COMERIX_TASKS_MODULE when set. */
export async function builtinTasks(tasksModule?: string): Promise<TaskRegistry> {
  const registry = new TaskRegistry().register('order_lookup', orderLookup);
  if (tasksModule) await registry.loadModule(tasksModule);
  return registry;
}
