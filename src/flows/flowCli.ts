import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { readJsonFile } from '../cli/readJsonFile.js';

/** `flow:import|publish|unpublish|list`. */
export function addFlowCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('flow:import')
    .description('Import a flow file as the draft of its intent (and publish it with --publish)')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--file <path>', 'flow JSON file')
    .option('--publish', 'publish it right away', false)
    .action(async (o: { tenant: string; file: string; publish: boolean }) =>
      dispatch({
        command: 'flow:import',
        tenant: o.tenant,
        definition: await readJsonFile(o.file),
        publish: o.publish,
      }),
    );

  for (const name of ['flow:publish', 'flow:unpublish'] as const) {
    program
      .command(name)
      .description(
        name === 'flow:publish' ? "Publish the intent's draft as a new version" : 'Stop offering the intent to widgets',
      )
      .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
      .requiredOption('--intent <name>', 'intent name')
      .action((o: { tenant: string; intent: string }) =>
        dispatch({ command: name, tenant: o.tenant, intent: o.intent }),
      );
  }

  program
    .command('flow:list')
    .description('List flows')
    .option('--tenant <idOrSlug>', 'only this tenant')
    .action((o: { tenant?: string }) => dispatch({ command: 'flow:list', ...(o.tenant ? { tenant: o.tenant } : {}) }));
}
