import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { importForm, listForms, publishForm } from './formService.js';

export type FormCommandRequest =
  | { command: 'form:import'; tenant: string; definition: unknown; publish: boolean }
  | { command: 'form:publish'; tenant: string; code: string }
  | { command: 'form:list'; tenant: string };

export async function runFormCommand(ctx: AppContext, request: FormCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  switch (request.command) {
    case 'form:import': {
      const { form, version } = await importForm(ctx, tenant.id, request.definition, { publish: request.publish });
      return version ? `${form.id} v${version.version}` : form.id;
    }
    case 'form:publish': {
      const { form, version } = await publishForm(ctx, tenant.id, request.code);
      return `${form.code} v${version.version}`;
    }
    case 'form:list':
      return formatTable(
        ['CODE', 'TITLE', 'PUBLISHED', 'LATEST', 'ID'],
        (await listForms(ctx, tenant.id)).map((f) => [
          f.code,
          String((f.draft as { title?: unknown }).title ?? ''),
          f.published_version_id ? 'yes' : 'no',
          `v${f.latest_version}`,
          f.id,
        ]),
      );
  }
}
