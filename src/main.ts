import { Command, CommanderError, Option } from 'commander';
import { addAdminCommands } from './admin/adminCli.js';
import { addAnalyticsCommands } from './analytics/analyticsCli.js';
import { dispatch } from './cli/dispatch.js';
import { UsageError } from './cli/UsageError.js';
import { ConfigError } from './config.js';
import { addConnectionCommands } from './connections/connectionCli.js';
import { DataDirLockedError } from './db/dataDirLock.js';
import { addDemoCommands } from './demo/demoCli.js';
import { AppError } from './errors/AppError.js';
import { addFlowCommands } from './flows/flowCli.js';
import { addFormCommands } from './forms/formCli.js';
import { addGoalCommands } from './goals/goalCli.js';
import { addKeyCommands, KEY_FLAGS } from './keys/keyCli.js';
import { addPricingCommands, PRICING_FLAGS } from './llm/pricingCli.js';
import { addCustomerCommands } from './privacy/customerCli.js';
import { addWidgetSettingsCommands, WIDGET_SETTINGS_FLAGS } from './reads/widgetSettingsCli.js';
import { addReportCommands } from './reports/reportCli.js';
import { addSecretKeyCommands, SECRET_KEY_FLAGS } from './secretKeys/secretKeyCli.js';
import { addServerCommands } from './server/serverCli.js';
import { addSessionCommands } from './sessions/sessionCli.js';
import { addTenantCommands } from './tenants/tenantCli.js';
import { addUsageCommands } from './usage/usageCli.js';
import { addWebhookCommands, WEBHOOK_FLAGS } from './webhooks/webhookCli.js';

/** The `comerix` CLI: one file per command group, each beside the domain it drives. */
export function buildProgram(): Command {
  const program = new Command('comerix')
    .description('Comerix: conversational flows behind a public chat API.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  addServerCommands(program);
  addTenantCommands(program, dispatch);
  addFlowCommands(program, dispatch);
  addKeyCommands(program, dispatch);
  addSecretKeyCommands(program, dispatch);
  addSessionCommands(program, dispatch);
  addDemoCommands(program, dispatch);
  addConnectionCommands(program, dispatch, (message) => new UsageError(message));
  addGoalCommands(program, dispatch);
  addFormCommands(program, dispatch);
  addWidgetSettingsCommands(program, dispatch);
  addUsageCommands(program, dispatch);
  addAnalyticsCommands(program, dispatch);
  addWebhookCommands(program, dispatch);
  addPricingCommands(program, dispatch);
  addCustomerCommands(program, dispatch);
  addAdminCommands(program, dispatch);
  addReportCommands(program, dispatch);
  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

/** Service rules name fields, not flags: a rule broken on the command line is reported by the flag that set it. */
const FIELD_FLAGS: Record<string, string> = {
  ...KEY_FLAGS,
  ...SECRET_KEY_FLAGS,
  ...WIDGET_SETTINGS_FLAGS,
  ...WEBHOOK_FLAGS,
  ...PRICING_FLAGS,
};

/** Exit codes of DESIGN §4: 0 ok, 1 runtime error, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0)
        return 0;
      return 2; // commander already printed its one-line message
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof AppError) {
      const fields = (error.details?.fields ?? []) as { path: string; message: string }[];
      const flag = error.code === 'invalid_request' && fields[0] ? FIELD_FLAGS[fields[0].path] : undefined;
      process.stderr.write(`error: ${flag ? `${flag}: ` : ''}${error.message}\n`);
      if (error.code !== 'invalid_request')
        for (const f of fields) process.stderr.write(`  - ${f.path}: ${f.message}\n`);
      return error.code === 'invalid_request' ? 2 : 1;
    }
    process.stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
// Server commands keep the process alive; everything else exits with its code.
const command = process.argv[2];
if (code !== 0 || (command !== 'start' && command !== 'serve' && command !== 'worker')) process.exit(code);
