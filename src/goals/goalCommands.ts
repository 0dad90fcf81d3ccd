import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { type CreateGoalInput, createGoal, goalsOf, removeGoal } from './goalService.js';
import { goalHitCounts } from './goalStore.js';

export type GoalCommandRequest =
  | ({ command: 'goal:create'; tenant: string } & Omit<CreateGoalInput, 'tenantId'>)
  | { command: 'goal:list'; tenant: string }
  | { command: 'goal:delete'; tenant: string; key: string };

export async function runGoalCommand(ctx: AppContext, request: GoalCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  switch (request.command) {
    case 'goal:create': {
      const { command: _c, tenant: _t, ...input } = request;
      return (await createGoal(ctx, { ...input, tenantId: tenant.id })).key;
    }
    case 'goal:list': {
      const hits = await goalHitCounts(ctx.kysely, tenant.id);
      return formatTable(
        ['KEY', 'NAME', 'EVENT TYPE', 'PROPERTIES', 'HITS'],
        (await goalsOf(ctx, tenant.id)).map((g) => [
          g.key,
          g.name,
          g.event_type ?? '(goal node)',
          Object.entries(g.property_filter)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
          String(hits.get(g.key) ?? 0),
        ]),
      );
    }
    case 'goal:delete':
      return (await removeGoal(ctx, tenant.id, request.key)).key;
  }
}
