import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { collect, UsageError } from '../cli/UsageError.js';
import { parseKeyRateLimit } from '../http/limits/rateBuckets.js';
import type { RateLimitChange } from './widgetKeyService.js';

interface KeyFlags {
  tenant: string;
  label?: string;
  widgetLabel?: string;
  origin: string[];
  intent: string[];
  allIntents: boolean;
  form: string[];
  allForms: boolean;
  allowServerSide?: boolean;
  sessionTtl?: string;
  rateLimit: string[];
}

/** The flag that sets each field of the key service's rules, so its messages can name what the user typed. */
export const KEY_FLAGS: Record<string, string> = {
  intents: '--intent / --all-intents',
  forms: '--form / --all-forms',
  origins: '--origin',
  label: '--label',
  sessionTtlSeconds: '--session-ttl',
};

const scopeOptions = (command: Command) =>
  command
    .option('--widget-label <label>', 'display label sent to the widget')
    .option('--origin <origin>', 'allowed origin, e.g. https://acme.com (repeatable)', collect, [])
    .option('--intent <name>', 'allowed intent (repeatable); exclusive with --all-intents', collect, [])
    .option('--all-intents', 'allow every currently published intent', false)
    .option('--form <code>', 'allowed form (repeatable); exclusive with --all-forms', collect, [])
    .option('--all-forms', 'allow every published form', false)
    .option('--session-ttl <seconds>', 'session lifetime in seconds (default 86400)');

/** `--rate-limit name=max[/seconds]` flags as the service's change (`name=default` clears); names are its to check. */
function rateLimits(flags: string[]): { rateLimits?: RateLimitChange } {
  if (flags.length === 0) return {};
  const change: RateLimitChange = {};
  for (const flag of flags) {
    try {
      const [name, value] = parseKeyRateLimit(flag);
      change[name] = value;
    } catch (error) {
      throw new UsageError(`--rate-limit: ${(error as Error).message}`);
    }
  }
  return { rateLimits: change };
}

function ttl(value: string | undefined): { sessionTtlSeconds?: number } {
  return value === undefined ? {} : { sessionTtlSeconds: Number(value) };
}

/** `widget-key:create|list|update|revoke` (create also as `comerix:widget-key:create`, as the seed writes it). */
export function addKeyCommands(program: Command, dispatch: Dispatch): void {
  scopeOptions(
    program
      .command('widget-key:create')
      .alias('comerix:widget-key:create')
      .description('Issue a public widget key; prints the pk_live_ key')
      .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
      .requiredOption('--label <label>', 'label shown in the admin (and the widget unless --widget-label)'),
  )
    .option('--allow-server-side', 'accept requests without an Origin header (server-side callers)', false)
    .action((o: KeyFlags) =>
      dispatch({
        command: 'widget-key:create',
        tenant: o.tenant,
        label: o.label ?? '',
        ...(o.widgetLabel ? { widgetLabel: o.widgetLabel } : {}),
        origins: o.origin,
        intents: o.intent,
        allIntents: o.allIntents,
        forms: o.form,
        allForms: o.allForms,
        allowServerSide: Boolean(o.allowServerSide),
        ...ttl(o.sessionTtl),
      }),
    );

  scopeOptions(
    program
      .command('widget-key:update')
      .description("Change a key's label, origins, intents, forms or session lifetime; prints the key")
      .argument('<key>', 'the pk_live_ key')
      .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
      .option('--label <label>', 'label shown in the admin'),
  )
    .option('--allow-server-side', 'accept requests without an Origin header')
    .option('--no-allow-server-side', 'refuse requests without an Origin header')
    .option(
      '--rate-limit <name=max[/seconds]>',
      "this key's own per-credential rate limit, e.g. messages_per_session=120/60; name=default clears (repeatable)",
      collect,
      [],
    )
    .action((key: string, o: KeyFlags) =>
      dispatch({
        command: 'widget-key:update',
        tenant: o.tenant,
        key,
        ...(o.label !== undefined ? { label: o.label } : {}),
        ...(o.widgetLabel !== undefined ? { widgetLabel: o.widgetLabel } : {}),
        ...(o.origin.length > 0 ? { origins: o.origin } : {}),
        ...(o.intent.length > 0 ? { intents: o.intent } : {}),
        ...(o.allIntents ? { allIntents: true } : {}),
        ...(o.form.length > 0 ? { forms: o.form } : {}),
        ...(o.allForms ? { allForms: true } : {}),
        ...(o.allowServerSide !== undefined ? { allowServerSide: o.allowServerSide } : {}),
        ...ttl(o.sessionTtl),
        ...rateLimits(o.rateLimit),
      }),
    );

  program
    .command('widget-key:list')
    .description('List widget keys')
    .option('--tenant <idOrSlug>', 'only this tenant')
    .action((o: { tenant?: string }) =>
      dispatch({ command: 'widget-key:list', ...(o.tenant ? { tenant: o.tenant } : {}) }),
    );

  program
    .command('widget-key:revoke')
    .description('Revoke a widget key; its sessions stop working at once')
    .argument('<key>', 'the pk_live_ key')
    .option('--tenant <idOrSlug>', 'only if the key belongs to this tenant')
    .action((key: string, o: { tenant?: string }) =>
      dispatch({ command: 'widget-key:revoke', key, ...(o.tenant ? { tenant: o.tenant } : {}) }),
    );
}
