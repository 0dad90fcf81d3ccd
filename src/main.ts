import { Command, CommanderError, Option } from 'commander';
import { createContext, openConfiguredDb } from './app/createContext.js';
import { sendControlCommand } from './cli/controlSocket.js';
import { type CommandRequest, readJsonFile, runCommand } from './cli/runCommand.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { addConnectionCommands } from './connections/connectionCli.js';
import { DataDirLockedError, lockDataDir, lockHolder } from './db/dataDirLock.js';
import { migrate } from './db/migrate.js';
import { AppError } from './errors/AppError.js';
import { performHttp } from './executions/performHttp.js';
import { GraphileJobQueue } from './jobs/GraphileJobQueue.js';
import { normalizeOrigin } from './keys/normalizeOrigin.js';
import { startServer } from './server/startServer.js';
import { startWorker } from './server/startWorker.js';

/** Exit codes of DESIGN §4: 0 ok, 1 runtime error, 2 usage error. */
class UsageError extends Error {}

const collect = (value: string, previous: string[]) => [...previous, value];

function config(): Config {
  return loadConfig();
}

/**
 * Runs a data command: through the running embedded server when one holds the data directory, otherwise against
 * the database directly (holding the directory lock meanwhile, so no server starts underneath).
 */
async function dispatch(request: CommandRequest): Promise<void> {
  const cfg = config();
  let stdout: string;
  if (cfg.backend === 'pglite' && lockHolder(cfg.dataDir) !== undefined) {
    const reply = await sendControlCommand(cfg.dataDir, request);
    if (!reply.ok) {
      const code = reply.error?.code;
      throw new AppError(
        code === 'invalid_request' || code === 'validation_failed' || code === 'not_found' ? code : 'internal_error',
        reply.error?.message ?? 'failed',
        reply.error?.details,
      );
    }
    stdout = reply.stdout ?? '';
  } else {
    const lock = cfg.backend === 'pglite' ? lockDataDir(cfg.dataDir) : undefined;
    const db = await openConfiguredDb(cfg);
    try {
      const ctx = await createContext(cfg, db, { migrate: true });
      stdout = await runCommand(ctx, request);
    } finally {
      await db.close();
      lock?.release();
    }
  }
  process.stdout.write(`${stdout}\n`);
}

async function serve(seed: boolean, worker: boolean): Promise<void> {
  const server = await startServer(config(), { seed, worker });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal} received, stopping…\n`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** `comerix worker`: jobs only, for scaling out on PostgreSQL (any number of them). */
async function work(): Promise<void> {
  const cfg = config();
  if (cfg.backend === 'pglite') {
    throw new UsageError(
      '`worker` needs DATABASE_URL (PostgreSQL); the embedded server (`comerix start`) works its own jobs',
    );
  }
  const db = await openConfiguredDb(cfg);
  const ctx = await createContext(cfg, db, { migrate: true });
  const worker = await startWorker(ctx, {
    http: performHttp,
    log: (msg, err) => process.stderr.write(`${msg}: ${err instanceof Error ? err.message : String(err)}\n`),
  });
  process.stderr.write(`comerix worker running (concurrency ${cfg.workerConcurrency})\n`);
  const shutdown = async () => {
    await worker.stop();
    await ctx.events.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

export function buildProgram(): Command {
  const program = new Command('comerix')
    .description('Comerix: conversational flows behind a public chat API.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command('start')
    .description('Migrate, seed the demo tenant if missing, and serve the API')
    .action(() => serve(true, true));
  program
    .command('serve')
    .description('Migrate and serve the API (never seeds)')
    .action(() => serve(false, false));
  program
    .command('worker')
    .description('Work the job queue (async nodes, expiry sweeps) without serving HTTP; PostgreSQL only')
    .action(() => work());
  program
    .command('migrate')
    .description('Apply pending database migrations')
    .action(async () => {
      const cfg = config();
      const lock =
        cfg.backend === 'pglite' && lockHolder(cfg.dataDir) === undefined ? lockDataDir(cfg.dataDir) : undefined;
      if (cfg.backend === 'pglite' && !lock)
        throw new UsageError('the server is running and has already migrated this data directory');
      const db = await openConfiguredDb(cfg);
      try {
        const applied = await migrate(db.kysely);
        // graphile-worker's own schema too, so API processes can enqueue before any worker has started.
        if (cfg.backend === 'postgres') await new GraphileJobQueue(cfg.databaseUrl!, db.kysely).prepare();

        process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
        process.stdout.write(`${applied.length}\n`);
      } finally {
        await db.close();
        lock?.release();
      }
    });

  program
    .command('tenant:create')
    .description('Create a tenant; prints its id')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--slug <slug>', 'short unique name (a-z, 0-9, -)')
    .action((o: { name: string; slug: string }) => dispatch({ command: 'tenant:create', name: o.name, slug: o.slug }));

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

  program
    .command('widget-key:create')
    .alias('comerix:widget-key:create')
    .description('Issue a public widget key; prints the pk_live_ key')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--label <label>', 'label shown in the admin (and the widget unless --widget-label)')
    .option('--widget-label <label>', 'display label sent to the widget')
    .option('--origin <origin>', 'allowed origin, e.g. https://acme.com (repeatable)', collect, [])
    .option('--intent <name>', 'allowed intent (repeatable); exclusive with --all-intents', collect, [])
    .option('--all-intents', 'allow every currently published intent', false)
    .option('--form <code>', 'allowed form (repeatable)', collect, [])
    .option('--all-forms', 'allow every published form', false)
    .option('--allow-server-side', 'accept requests without an Origin header (server-side callers)', false)
    .action(
      (o: {
        tenant: string;
        label: string;
        widgetLabel?: string;
        origin: string[];
        intent: string[];
        allIntents: boolean;
        form: string[];
        allForms: boolean;
        allowServerSide: boolean;
      }) => {
        if (o.intent.length > 0 && o.allIntents)
          throw new UsageError('--intent and --all-intents are mutually exclusive: give exactly one');
        if (o.intent.length === 0 && !o.allIntents)
          throw new UsageError('give exactly one of --intent=<name> (repeatable) and --all-intents');
        if (o.form.length > 0 && o.allForms) throw new UsageError('--form and --all-forms are mutually exclusive');
        if (o.origin.length === 0 && !o.allowServerSide)
          throw new UsageError('at least one --origin is required (or --allow-server-side)');
        for (const origin of o.origin) {
          if (!normalizeOrigin(origin))
            throw new UsageError(`not a valid origin: "${origin}" (expected e.g. https://acme.com)`);
        }
        return dispatch({
          command: 'widget-key:create',
          tenant: o.tenant,
          label: o.label,
          ...(o.widgetLabel ? { widgetLabel: o.widgetLabel } : {}),
          origins: o.origin,
          intents: o.intent,
          allIntents: o.allIntents,
          forms: o.form,
          allForms: o.allForms,
          allowServerSide: o.allowServerSide,
        });
      },
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
    .action((key: string) => dispatch({ command: 'widget-key:revoke', key }));

  program
    .command('demo:seed')
    .description('Create the demo tenant, flows and widget key if missing; prints the demo key')
    .action(() => dispatch({ command: 'demo:seed' }));

  addConnectionCommands(program, dispatch, (message) => new UsageError(message));

  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

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
      process.stderr.write(`error: ${error.message}\n`);
      const fields = (error.details?.fields ?? []) as { path: string; message: string }[];
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
