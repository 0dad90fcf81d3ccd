import { readFile } from 'node:fs/promises';
import type { AppContext } from '../app/AppContext.js';
import { type ConnectionCommandRequest, runConnectionCommand } from '../connections/connectionCommands.js';
import { seedDemo } from '../demo/seedDemo.js';
import { AppError } from '../errors/AppError.js';
import { importFlow, listFlows, publishFlow, unpublishFlow } from '../flows/flowService.js';
import { createWidgetKey, listWidgetKeys, revokeWidgetKey } from '../keys/widgetKeyService.js';
import { createTenant, requireTenant } from '../tenants/tenantStore.js';
import { formatTable } from './formatTable.js';

/**
 * Data commands, already parsed. They run either in this process or, in embedded mode while a server holds the
 * data directory, inside that server (through its control socket) — the same function either way.
 */
export type CommandRequest =
  | { command: 'tenant:create'; name: string; slug: string }
  | { command: 'flow:import'; tenant: string; definition: unknown; publish: boolean }
  | { command: 'flow:publish' | 'flow:unpublish'; tenant: string; intent: string }
  | { command: 'flow:list'; tenant?: string }
  | {
      command: 'widget-key:create';
      tenant: string;
      label: string;
      widgetLabel?: string;
      origins: string[];
      intents: string[];
      allIntents: boolean;
      forms: string[];
      allForms: boolean;
      allowServerSide: boolean;
    }
  | { command: 'widget-key:list'; tenant?: string }
  | { command: 'widget-key:revoke'; key: string }
  | { command: 'demo:seed' }
  | ConnectionCommandRequest;

/** Returns exactly what goes on stdout (without the trailing newline). */
export async function runCommand(ctx: AppContext, request: CommandRequest): Promise<string> {
  switch (request.command) {
    case 'tenant:create':
      return (await createTenant(ctx, request)).id;
    case 'flow:import': {
      const tenant = await requireTenant(ctx, request.tenant);
      const { flow, version } = await importFlow(ctx, tenant.id, request.definition, { publish: request.publish });
      return version ? `${flow.id} v${version.version}` : flow.id;
    }
    case 'flow:publish': {
      const tenant = await requireTenant(ctx, request.tenant);
      const { version } = await publishFlow(ctx, tenant.id, request.intent);
      return `${request.intent} v${version.version}`;
    }
    case 'flow:unpublish': {
      const tenant = await requireTenant(ctx, request.tenant);
      await unpublishFlow(ctx, tenant.id, request.intent);
      return request.intent;
    }
    case 'flow:list': {
      const tenantId = request.tenant ? (await requireTenant(ctx, request.tenant)).id : undefined;
      const tenants = await tenantSlugs(ctx);
      const flows = tenantId ? await listFlows(ctx, tenantId) : await allFlows(ctx);
      return formatTable(
        ['TENANT', 'INTENT', 'PUBLISHED', 'LATEST', 'ID'],
        flows.map((f) => [
          tenants.get(f.tenant_id) ?? f.tenant_id,
          f.intent_name,
          f.published_version_id ? 'yes' : 'no',
          `v${f.latest_version}`,
          f.id,
        ]),
      );
    }
    case 'widget-key:create': {
      const tenant = await requireTenant(ctx, request.tenant);
      const key = await createWidgetKey(ctx, {
        tenantId: tenant.id,
        label: request.label,
        ...(request.widgetLabel ? { widgetLabel: request.widgetLabel } : {}),
        origins: request.origins,
        intents: request.intents,
        allIntents: request.allIntents,
        forms: request.forms,
        allForms: request.allForms,
        allowServerSide: request.allowServerSide,
      });
      return key.key;
    }
    case 'widget-key:list': {
      const tenantId = request.tenant ? (await requireTenant(ctx, request.tenant)).id : undefined;
      const tenants = await tenantSlugs(ctx);
      const keys = await listWidgetKeys(ctx, tenantId);
      return formatTable(
        ['KEY', 'TENANT', 'LABEL', 'STATUS', 'INTENTS', 'ORIGINS'],
        keys.map((k) => [
          k.key,
          tenants.get(k.tenant_id) ?? k.tenant_id,
          k.label,
          k.status,
          k.allows_all_intents ? '*all*' : k.allowed_intents.join(','),
          k.allowed_origins.join(',') || (k.allow_server_side ? '(server-side)' : ''),
        ]),
      );
    }
    case 'widget-key:revoke':
      return (await revokeWidgetKey(ctx, request.key)).key;
    case 'connection:create':
    case 'connection:list':
    case 'connection:test':
    case 'connection:delete':
      return runConnectionCommand(ctx, request);
    case 'demo:seed': {
      const demo = await seedDemo(ctx);
      if (!demo.publicKey) throw new AppError('not_found', 'the demo tenant exists but has no active demo widget key');
      return demo.publicKey;
    }
  }
}

async function tenantSlugs(ctx: AppContext): Promise<Map<string, string>> {
  const rows = await ctx.kysely.selectFrom('tenants').select(['id', 'slug']).execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

async function allFlows(ctx: AppContext) {
  return ctx.kysely.selectFrom('flows').selectAll().orderBy('tenant_id').orderBy('intent_name').execute();
}

/** Reads a flow file for flow:import; the file is read by the CLI process, never by the server. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_request', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}
