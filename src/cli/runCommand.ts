import { type AdminCommandRequest, runAdminCommand } from '../admin/adminCommands.js';
import { type AnalyticsCommandRequest, runAnalyticsCommand } from '../analytics/analyticsCommands.js';
import type { AppContext } from '../app/AppContext.js';
import { type ConnectionCommandRequest, runConnectionCommand } from '../connections/connectionCommands.js';
import { type DemoCommandRequest, runDemoCommand } from '../demo/demoCommands.js';
import { type FlowCommandRequest, runFlowCommand } from '../flows/flowCommands.js';
import { type FormCommandRequest, runFormCommand } from '../forms/formCommands.js';
import { type GoalCommandRequest, runGoalCommand } from '../goals/goalCommands.js';
import { type KeyCommandRequest, runKeyCommand } from '../keys/keyCommands.js';
import { type PricingCommandRequest, runPricingCommand } from '../llm/pricingCommands.js';
import { type CustomerCommandRequest, runCustomerCommand } from '../privacy/customerCommands.js';
import { runWidgetSettingsCommand, type WidgetSettingsCommandRequest } from '../reads/widgetSettingsCommands.js';
import { type ReportCommandRequest, runReportCommand } from '../reports/reportCommands.js';
import { runSecretKeyCommand, type SecretKeyCommandRequest } from '../secretKeys/secretKeyCommands.js';
import { runSessionCommand, type SessionCommandRequest } from '../sessions/sessionCommands.js';
import { runTenantCommand, type TenantCommandRequest } from '../tenants/tenantCommands.js';
import { runUsageCommand, type UsageCommandRequest } from '../usage/usageCommands.js';
import { runWebhookCommand, type WebhookCommandRequest } from '../webhooks/webhookCommands.js';

/**
 * Data commands, already parsed. They run either in this process or, in embedded mode while a server holds the
 * data directory, inside that server (through its control socket) — the same function either way.
 */
export type CommandRequest =
  | TenantCommandRequest
  | FlowCommandRequest
  | KeyCommandRequest
  | SecretKeyCommandRequest
  | SessionCommandRequest
  | DemoCommandRequest
  | ConnectionCommandRequest
  | GoalCommandRequest
  | FormCommandRequest
  | WidgetSettingsCommandRequest
  | UsageCommandRequest
  | WebhookCommandRequest
  | PricingCommandRequest
  | CustomerCommandRequest
  | AdminCommandRequest
  | ReportCommandRequest
  | AnalyticsCommandRequest;

/** Returns exactly what goes on stdout (without the trailing newline). */
export async function runCommand(ctx: AppContext, request: CommandRequest): Promise<string> {
  switch (request.command) {
    case 'tenant:create':
    case 'tenant:update':
      return runTenantCommand(ctx, request);
    case 'flow:import':
    case 'flow:publish':
    case 'flow:unpublish':
    case 'flow:list':
      return runFlowCommand(ctx, request);
    case 'widget-key:create':
    case 'widget-key:update':
    case 'widget-key:list':
    case 'widget-key:revoke':
      return runKeyCommand(ctx, request);
    case 'secret-key:create':
    case 'secret-key:list':
    case 'secret-key:revoke':
      return runSecretKeyCommand(ctx, request);
    case 'session:revoke':
      return runSessionCommand(ctx, request);
    case 'demo:seed':
      return runDemoCommand(ctx, request);
    case 'connection:create':
    case 'connection:list':
    case 'connection:test':
    case 'connection:delete':
      return runConnectionCommand(ctx, request);
    case 'goal:create':
    case 'goal:list':
    case 'goal:delete':
      return runGoalCommand(ctx, request);
    case 'form:import':
    case 'form:publish':
    case 'form:list':
      return runFormCommand(ctx, request);
    case 'quick-question:add':
    case 'quick-question:list':
    case 'quick-question:remove':
    case 'config:set':
    case 'widget-settings:publish':
      return runWidgetSettingsCommand(ctx, request);
    case 'usage:show':
      return runUsageCommand(ctx, request);
    case 'webhook:create':
    case 'webhook:list':
    case 'webhook:deliveries':
    case 'webhook:redeliver':
    case 'webhook:enable':
    case 'webhook:disable':
    case 'webhook:delete':
      return runWebhookCommand(ctx, request);
    case 'pricing:set':
    case 'pricing:list':
      return runPricingCommand(ctx, request);
    case 'customer:export':
    case 'customer:delete':
      return runCustomerCommand(ctx, request);
    case 'admin:create':
    case 'admin:reset-password':
      return runAdminCommand(ctx, request);
    case 'report:run':
      return runReportCommand(ctx, request);
    case 'analytics:rebuild':
      return runAnalyticsCommand(ctx, request);
  }
}
