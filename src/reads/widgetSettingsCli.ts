import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { readJsonFile } from '../cli/readJsonFile.js';
import { collect, UsageError } from '../cli/UsageError.js';

/** Service rule paths → the flags that set them (quick questions, config sections). */
export const WIDGET_SETTINGS_FLAGS: Record<string, string> = {
  text: '--text',
  intentName: '--intent',
  pageTypes: '--page-type',
  position: '--position',
  section: '--section',
  values: '--values / --file',
};

/** Widget settings: `quick-question:add|list|remove`, `config:set`, `widget-settings:publish`. */
export function addWidgetSettingsCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('quick-question:add')
    .description('Add a quick-question prompt (shown after the next widget-settings:publish); prints its id')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--text <text>', 'the prompt')
    .option('--intent <name>', 'the intent it triggers (hidden while unpublished or outside a key’s scope)')
    .option('--page-type <type>', 'show on this page type (repeatable; none: every page)', collect, [])
    .option('--position <n>', 'sort order (ascending)', '0')
    .action((o: { tenant: string; text: string; intent?: string; pageType: string[]; position: string }) => {
      if (!/^-?\d+$/.test(o.position)) throw new UsageError('--position must be an integer');
      return dispatch({
        command: 'quick-question:add',
        tenant: o.tenant,
        text: o.text,
        ...(o.intent !== undefined ? { intentName: o.intent } : {}),
        pageTypes: o.pageType,
        position: Number(o.position),
      });
    });

  program
    .command('quick-question:list')
    .description("List a tenant's quick questions (as edited, not as published)")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'quick-question:list', tenant: o.tenant }));

  program
    .command('quick-question:remove')
    .description('Remove a quick question; prints its id')
    .argument('<id>', 'the quick question id')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((id: string, o: { tenant: string }) =>
      dispatch({ command: 'quick-question:remove', tenant: o.tenant, id }),
    );

  program
    .command('config:set')
    .description('Set a config section’s values (appearance is checked against its schema); prints the section')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--section <name>', 'section name, e.g. appearance')
    .option('--file <path>', 'JSON object file with the values')
    .option('--values <json>', 'the values as inline JSON')
    .option('--public', 'widgets may read it (GET /config/{section})', false)
    .action(async (o: { tenant: string; section: string; file?: string; values?: string; public: boolean }) => {
      if ((o.file === undefined) === (o.values === undefined))
        throw new UsageError('give exactly one of --file and --values');
      let values: unknown;
      if (o.file !== undefined) values = await readJsonFile(o.file);
      else {
        try {
          values = JSON.parse(o.values!);
        } catch {
          throw new UsageError('--values is not valid JSON');
        }
      }
      return dispatch({ command: 'config:set', tenant: o.tenant, section: o.section, values, isPublic: o.public });
    });

  program
    .command('widget-settings:publish')
    .description(
      'Build the immutable edge document widgets read (quick questions, public config, published forms); prints its hash',
    )
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'widget-settings:publish', tenant: o.tenant }));
}
