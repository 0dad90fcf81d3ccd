import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import {
  type AddQuickQuestionInput,
  addQuickQuestion,
  listQuickQuestions,
  publishWidgetSettings,
  removeQuickQuestion,
  setConfigSection,
} from './widgetSettingsService.js';

export type WidgetSettingsCommandRequest =
  | ({ command: 'quick-question:add'; tenant: string } & AddQuickQuestionInput)
  | { command: 'quick-question:list'; tenant: string }
  | { command: 'quick-question:remove'; tenant: string; id: string }
  | { command: 'config:set'; tenant: string; section: string; values: unknown; isPublic: boolean }
  | { command: 'widget-settings:publish'; tenant: string };

export async function runWidgetSettingsCommand(
  ctx: AppContext,
  request: WidgetSettingsCommandRequest,
): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  switch (request.command) {
    case 'quick-question:add': {
      const { command: _c, tenant: _t, ...input } = request;
      return (await addQuickQuestion(ctx, tenant.id, input)).id;
    }
    case 'quick-question:list':
      return formatTable(
        ['ID', 'POSITION', 'TEXT', 'INTENT', 'PAGE TYPES'],
        (await listQuickQuestions(ctx, tenant.id)).map((q) => [
          q.id,
          String(q.position),
          q.text,
          q.intent_name ?? '',
          q.page_types.length > 0 ? q.page_types.join(',') : '(every page)',
        ]),
      );
    case 'quick-question:remove':
      return (await removeQuickQuestion(ctx, tenant.id, request.id)).id;
    case 'config:set':
      return (await setConfigSection(ctx, tenant.id, request)).section;
    case 'widget-settings:publish':
      return (await publishWidgetSettings(ctx, tenant.id, 'cli')).contentHash;
  }
}
