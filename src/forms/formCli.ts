import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { readJsonFile } from '../cli/readJsonFile.js';

/** `form:import|publish|list`. */
export function addFormCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('form:import')
    .description('Import a form file as the draft of its code (and publish it with --publish); prints the id')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--file <path>', 'form JSON file (see examples/forms)')
    .option('--publish', 'publish it right away', false)
    .action(async (o: { tenant: string; file: string; publish: boolean }) =>
      dispatch({
        command: 'form:import',
        tenant: o.tenant,
        definition: await readJsonFile(o.file),
        publish: o.publish,
      }),
    );

  program
    .command('form:publish')
    .description("Publish the form's draft as a new version (rebuilds the widget settings' edge document)")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--code <code>', 'form code')
    .action((o: { tenant: string; code: string }) =>
      dispatch({ command: 'form:publish', tenant: o.tenant, code: o.code }),
    );

  program
    .command('form:list')
    .description("List a tenant's forms")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'form:list', tenant: o.tenant }));
}
