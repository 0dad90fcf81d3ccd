import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { collect, UsageError } from '../cli/UsageError.js';

/** `--property k=v` (repeatable) → an equality map; a flag without `=` is a usage error. */
export function parseProperties(pairs: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--property expects name=value, got "${pair}"`);
    const name = pair.slice(0, at);
    if (name in map) throw new UsageError(`--property ${name} given twice`);
    map[name] = pair.slice(at + 1);
  }
  return map;
}

/** `goal:create|list|delete`. */
export function addGoalCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('goal:create')
    .description(
      'Define a goal, reached by an event type (+ property filter) or by goal nodes naming its key; prints the key',
    )
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--key <key>', 'snake_case key (what a flow goal node names)')
    .requiredOption('--name <name>', 'display name')
    .option('--event-type <type>', 'reached by telemetry events of this type')
    .option('--property <name=value>', 'only events whose property equals value (repeatable)', collect, [])
    .action((o: { tenant: string; key: string; name: string; eventType?: string; property: string[] }) => {
      const properties = parseProperties(o.property);
      if (Object.keys(properties).length > 0 && o.eventType === undefined) {
        throw new UsageError('--property needs --event-type');
      }
      return dispatch({
        command: 'goal:create',
        tenant: o.tenant,
        key: o.key,
        name: o.name,
        ...(o.eventType !== undefined ? { eventType: o.eventType } : {}),
        properties,
      });
    });

  program
    .command('goal:list')
    .description("List a tenant's goals with their hit counts")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'goal:list', tenant: o.tenant }));

  program
    .command('goal:delete')
    .description('Delete a goal (its hits are kept, by key); prints the key')
    .argument('<key>', 'the goal key')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((key: string, o: { tenant: string }) => dispatch({ command: 'goal:delete', tenant: o.tenant, key }));
}
