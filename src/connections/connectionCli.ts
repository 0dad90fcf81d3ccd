import type { Command } from 'commander';
import type { ConnectionCommandRequest } from './connectionCommands.js';
import { AUTH_TYPES, type ConnectionAuthType, type ConnectionType } from './connectionTypes.js';

interface CreateFlags {
  tenant: string;
  name: string;
  baseUrl: string;
  type: string;
  auth: string;
  headerName?: string;
  secretEnv?: string;
  secretStdin: boolean;
  username?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  clientAuth?: string;
  model?: string;
}

/** Reads all of stdin (a piped secret), dropping one trailing newline. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('reading the secret from stdin (end with Ctrl-D)…\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Adds `connection:create|list|test|delete`. Secrets are taken from an environment variable (`--secret-env NAME`)
 * or stdin (`--secret-stdin`), never from a flag value, so they stay out of shell history and `ps`.
 */
export function addConnectionCommands(
  program: Command,
  dispatch: (request: ConnectionCommandRequest) => Promise<void>,
  usageError: (message: string) => Error,
): void {
  program
    .command('connection:create')
    .description('Create a connection (outbound HTTP endpoint); prints its id. The secret is never printed again.')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--name <name>', 'connection name, ^[a-z][a-z0-9_-]{0,63}$')
    .requiredOption('--base-url <url>', 'http(s) base URL; request paths are appended to it')
    .option('--type <type>', 'http | openai', 'http')
    .option('--auth <type>', 'none | header | bearer | basic | oauth2', 'none')
    .option('--header-name <name>', 'header auth: the header that carries the secret')
    .option('--secret-env <VAR>', 'read the secret from this environment variable')
    .option('--secret-stdin', 'read the secret from stdin', false)
    .option('--username <user>', 'basic auth: the user name (the secret is the password)')
    .option('--token-url <url>', 'oauth2: the token endpoint (client credentials grant)')
    .option('--client-id <id>', 'oauth2: the client id (the secret is the client secret)')
    .option('--scope <scope>', 'oauth2: requested scope')
    .option('--client-auth <how>', 'oauth2: basic (default) or post: how the client authenticates at the token URL')
    .option('--model <model>', 'openai: the default model of llm nodes that name none')
    .action(async (o: CreateFlags) => {
      if (o.type !== 'http' && o.type !== 'openai') throw usageError('--type must be http or openai');
      const authType = (o.auth === 'oauth2' ? 'oauth2_client_credentials' : o.auth) as ConnectionAuthType;
      if (!AUTH_TYPES.includes(authType)) throw usageError('--auth must be none, header, bearer, basic or oauth2');
      if (o.clientAuth !== undefined && o.clientAuth !== 'basic' && o.clientAuth !== 'post') {
        throw usageError('--client-auth must be basic or post');
      }
      if (o.secretEnv && o.secretStdin) throw usageError('give at most one of --secret-env and --secret-stdin');
      let secret: string | undefined;
      if (o.secretEnv) {
        secret = process.env[o.secretEnv];
        if (!secret) throw usageError(`environment variable ${o.secretEnv} is not set or empty`);
      } else if (o.secretStdin) {
        secret = await readStdin();
        if (!secret) throw usageError('no secret on stdin');
      }
      if (authType === 'none' && secret !== undefined) throw usageError('--auth none takes no secret');
      if (authType !== 'none' && secret === undefined) {
        throw usageError(`--auth ${o.auth} needs a secret: --secret-env VAR or --secret-stdin`);
      }
      return dispatch({
        command: 'connection:create',
        tenant: o.tenant,
        name: o.name,
        baseUrl: o.baseUrl,
        type: o.type as ConnectionType,
        authType,
        ...(o.headerName ? { headerName: o.headerName } : {}),
        ...(o.username ? { username: o.username } : {}),
        ...(o.tokenUrl ? { tokenUrl: o.tokenUrl } : {}),
        ...(o.clientId ? { clientId: o.clientId } : {}),
        ...(o.scope ? { scope: o.scope } : {}),
        ...(o.clientAuth ? { clientAuth: o.clientAuth as 'basic' | 'post' } : {}),
        ...(o.model ? { defaultModel: o.model } : {}),
        ...(secret !== undefined ? { secret } : {}),
      });
    });

  program
    .command('connection:list')
    .description("List a tenant's connections (never their secrets)")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'connection:list', tenant: o.tenant }));

  program
    .command('connection:test')
    .description('GET the base URL (or --path below it) with the connection\'s auth; prints "ok <status> <ms>ms"')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--name <name>', 'connection name')
    .option('--path <path>', 'path below the base URL, e.g. /health')
    .action((o: { tenant: string; name: string; path?: string }) => {
      if (o.path !== undefined && !o.path.startsWith('/')) throw usageError('--path must start with "/"');
      return dispatch({
        command: 'connection:test',
        tenant: o.tenant,
        name: o.name,
        ...(o.path ? { path: o.path } : {}),
      });
    });

  program
    .command('connection:delete')
    .description('Delete a connection; prints its id')
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--name <name>', 'connection name')
    .action((o: { tenant: string; name: string }) =>
      dispatch({ command: 'connection:delete', tenant: o.tenant, name: o.name }),
    );
}
