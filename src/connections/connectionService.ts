import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import { dbErrorKind } from '../db/sqlState.js';
import type { ConnectionsTable } from '../db/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import { isUsableAuthHeaderName } from '../outbound/headers.js';
import { OutboundError, type OutboundErrorCode } from '../outbound/OutboundError.js';
import type { OAuthTokenCache } from '../outbound/oauth2.js';
import { outboundRequest } from '../outbound/outboundRequest.js';
import { parseBaseUrl } from '../outbound/requestUrl.js';
import type { LookupAll } from '../outbound/ssrfGuard.js';
import { bindingOf } from './bindingOf.js';
import { openConnectionSecret, sealConnectionSecret } from './connectionSecret.js';
import {
  connectionByName,
  connectionIdByName,
  deleteConnectionRow,
  findConnectionRow,
  insertConnection,
  listConnectionRows,
  updateConnectionRow,
} from './connectionStore.js';
import {
  AUTH_TYPES,
  CONNECTION_NAME,
  CONNECTION_TYPES,
  type ConnectionAuthConfig,
  type ConnectionAuthType,
  type ConnectionType,
  type ConnectionView,
} from './connectionTypes.js';
import { resolveConnection } from './resolveConnection.js';
import { SecretDecryptionError } from './secretBox.js';

/** The auth settings (header name, username, OAuth2 token URL, …) are those stored in `auth_config`. */
export interface CreateConnectionInput extends ConnectionAuthConfig {
  tenantId: string;
  /** ^[a-z][a-z0-9_-]{0,63}$, unique per tenant. */
  name: string;
  /** Default `http`. */
  type?: ConnectionType;
  /** http(s), no userinfo, query or fragment. */
  baseUrl: string;
  /** Default `none`. */
  authType?: ConnectionAuthType;
  /** The header value (header), token (bearer), password (basic) or client secret (oauth2). Never returned. */
  secret?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** The response status, when there was a response. */
  status?: number;
  latencyMs: number;
  error?: { code: OutboundErrorCode; message: string; bodyExcerpt?: string };
}

export interface TestConnectionOptions {
  /** Path below the base URL to GET instead of the base URL itself (e.g. `/health`). */
  path?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Test hooks: DNS and the OAuth2 token cache. */
  lookup?: LookupAll;
  tokenCache?: OAuthTokenCache;
}

const MAX_SECRET = 8_192;
const MAX_TEXT = 512;
const PRINTABLE = /^[\u0020-\u007e\u00a0-\uffff]*$/;

/** Which optional settings each auth type takes; anything else given is a mistake worth reporting. */
const SETTINGS: Record<ConnectionAuthType, (keyof ConnectionAuthConfig)[]> = {
  none: [],
  header: ['headerName'],
  bearer: [],
  basic: ['username'],
  oauth2_client_credentials: ['tokenUrl', 'clientId', 'scope', 'clientAuth'],
};
const SECRET_LABEL: Record<Exclude<ConnectionAuthType, 'none'>, [key: string, label: string]> = {
  header: ['value', 'the header value'],
  bearer: ['token', 'the bearer token'],
  basic: ['password', 'the password'],
  oauth2_client_credentials: ['clientSecret', 'the client secret'],
};

function validate(input: CreateConnectionInput): {
  type: ConnectionType;
  baseUrl: string;
  authType: ConnectionAuthType;
  config: ConnectionAuthConfig;
} {
  const issues: FieldIssue[] = [];
  const issue = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  if (typeof input.name !== 'string' || !CONNECTION_NAME.test(input.name)) {
    issue('name', 'pattern', 'name must match ^[a-z][a-z0-9_-]{0,63}$ (lowercase letter first)');
  }
  const type = input.type ?? 'http';
  if (!CONNECTION_TYPES.includes(type)) issue('type', 'enum', `type must be one of ${CONNECTION_TYPES.join(', ')}`);
  const base =
    typeof input.baseUrl === 'string' && input.baseUrl.length <= 2_048 ? parseBaseUrl(input.baseUrl) : undefined;
  if (!base) {
    // Never echo the given URL: it might carry credentials.
    issue('baseUrl', 'url', 'baseUrl must be an http(s) URL without credentials, query or fragment');
  }
  const authType = input.authType ?? 'none';
  if (!AUTH_TYPES.includes(authType)) issue('authType', 'enum', `authType must be one of ${AUTH_TYPES.join(', ')}`);

  const config: ConnectionAuthConfig = {};
  const allowed = SETTINGS[authType] ?? [];
  for (const key of ['headerName', 'username', 'tokenUrl', 'clientId', 'scope', 'clientAuth'] as const) {
    const value = input[key];
    if (value === undefined || value === '') continue;
    if (!allowed.includes(key)) {
      issue(key, 'not_applicable', `${key} does not apply to ${authType} auth`);
      continue;
    }
    if (typeof value !== 'string' || value.length > MAX_TEXT || !PRINTABLE.test(value)) {
      issue(key, 'text', `${key} must be printable text of at most ${MAX_TEXT} characters`);
      continue;
    }
    (config as Record<string, string>)[key] = value;
  }
  if (authType === 'header') {
    if (!config.headerName) issue('headerName', 'required', 'header auth needs headerName');
    else if (!isUsableAuthHeaderName(config.headerName)) {
      issue('headerName', 'header', `headerName "${config.headerName}" is not a usable header name`);
    }
  }
  if (authType === 'basic') {
    if (!config.username) issue('username', 'required', 'basic auth needs username');
    else if (config.username.includes(':')) issue('username', 'basic', 'username must not contain ":"');
  }
  if (authType === 'oauth2_client_credentials') {
    if (!config.tokenUrl) issue('tokenUrl', 'required', 'oauth2 auth needs tokenUrl');
    else if (!parseBaseUrl(config.tokenUrl)) {
      issue('tokenUrl', 'url', 'tokenUrl must be an http(s) URL without credentials, query or fragment');
    }
    if (!config.clientId) issue('clientId', 'required', 'oauth2 auth needs clientId');
    if (config.clientAuth && config.clientAuth !== 'basic' && config.clientAuth !== 'post') {
      issue('clientAuth', 'enum', 'clientAuth must be basic or post');
    }
  }

  if (input.defaultModel !== undefined && input.defaultModel !== '') {
    if (type !== 'openai') issue('defaultModel', 'not_applicable', 'defaultModel applies to openai connections only');
    else if (
      typeof input.defaultModel !== 'string' ||
      input.defaultModel.length > 200 ||
      !PRINTABLE.test(input.defaultModel)
    ) {
      issue('defaultModel', 'text', 'defaultModel must be printable text of at most 200 characters');
    } else config.defaultModel = input.defaultModel;
  }

  const secret = input.secret;
  if (authType === 'none') {
    if (secret !== undefined && secret !== '') issue('secret', 'not_applicable', 'auth none takes no secret');
  } else if (AUTH_TYPES.includes(authType)) {
    const label = SECRET_LABEL[authType][1];
    // Messages say what is wrong with the secret, never what it is.
    if (typeof secret !== 'string' || secret === '')
      issue('secret', 'required', `${authType} auth needs a secret (${label})`);
    else if (secret.length > MAX_SECRET)
      issue('secret', 'length', `the secret is longer than ${MAX_SECRET} characters`);
    else if (authType !== 'basic' && !/^[\t\u0020-\u007e\u0080-\u00ff]*$/.test(secret)) {
      issue('secret', 'header', 'the secret contains CR, LF or another character not allowed in a header');
    } else if (authType !== 'basic' && secret.trim() !== secret) {
      issue('secret', 'header', 'the secret has leading or trailing whitespace');
    }
  }

  if (issues.length > 0) {
    throw new AppError('invalid_request', issues.map((i) => i.message).join('; '), { fields: issues });
  }
  return { type, baseUrl: base!.toString(), authType, config };
}

function toView(
  row: Omit<Selectable<ConnectionsTable>, 'secret_ciphertext'> & { has_secret: boolean },
): ConnectionView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    type: row.type,
    baseUrl: row.base_url,
    authType: row.auth_type,
    authConfig: { ...(row.auth_config as ConnectionAuthConfig) },
    hasSecret: row.has_secret,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The public columns: the ciphertext itself never leaves the database here (only resolveConnection reads it). */

function isUniqueViolation(error: unknown): boolean {
  return dbErrorKind(error) === 'unique_violation';
}

/** Creates a connection; its secret is encrypted before it reaches the database and is never returned. */
export async function createConnection(
  ctx: AppContext,
  input: CreateConnectionInput,
  actor = 'cli',
): Promise<ConnectionView> {
  const { type, baseUrl, authType, config } = validate(input);
  const existing = await connectionIdByName(ctx.kysely, input.tenantId, input.name);
  const duplicate = () => new AppError('invalid_request', `a connection named "${input.name}" already exists`);
  if (existing) throw duplicate();
  const id = newId();
  const secretCiphertext =
    authType === 'none'
      ? null
      : sealConnectionSecret(
          ctx.secrets,
          { tenantId: input.tenantId, connectionId: id, type, baseUrl, authType, authConfig: config },
          { [SECRET_LABEL[authType][0]]: input.secret! },
        );
  try {
    return await ctx.kysely.transaction().execute(async (trx) => {
      const row = await insertConnection(trx, {
        id,
        tenant_id: input.tenantId,
        name: input.name,
        type,
        base_url: baseUrl,
        auth_type: authType,
        auth_config: config as ConnectionsTable['auth_config'],
        secret_ciphertext: secretCiphertext,
      });
      const view = toView(row);
      // The view has no secret: the digest shows the settings changed, never what the secret was.
      await recordAudit(trx, {
        tenantId: input.tenantId,
        actor,
        action: 'connection.create',
        target: row.id,
        after: view,
      });
      return view;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
}

export async function listConnections(ctx: AppContext, tenantId: string): Promise<ConnectionView[]> {
  const rows = await listConnectionRows(ctx.kysely, tenantId);
  return rows.map(toView);
}

/** The tenant's connection by name; another tenant's connection is not found, exactly like a missing one. */
export async function getConnection(ctx: AppContext, tenantId: string, name: string): Promise<ConnectionView> {
  const row = await connectionByName(ctx.kysely, tenantId, name);
  if (!row) throw notFound(name);
  return toView(row);
}

/** Deletes the tenant's connection; returns what it was (without its secret). */
export async function deleteConnection(
  ctx: AppContext,
  tenantId: string,
  name: string,
  actor = 'cli',
): Promise<ConnectionView> {
  return ctx.kysely.transaction().execute(async (trx) => {
    const row = await deleteConnectionRow(trx, tenantId, name);
    if (!row) throw notFound(name);
    const view = toView(row);
    await recordAudit(trx, { tenantId, actor, action: 'connection.delete', target: row.id, before: view });
    return view;
  });
}

/**
 * GETs the base URL (or `path` below it) through the outbound client, one attempt, with the connection's auth and
 * the SSRF guard as configured. ok = a response with status < 400. Failures are results, not exceptions (only an
 * unknown connection throws `not_found`).
 */
export async function testConnection(
  ctx: AppContext,
  tenantId: string,
  name: string,
  options: TestConnectionOptions = {},
): Promise<ConnectionTestResult> {
  const connection = await resolveConnection(ctx, tenantId, name);
  if (!connection) throw notFound(name);
  const started = performance.now();
  try {
    const response = await outboundRequest({
      connection,
      method: 'GET',
      path: options.path ?? '',
      idempotencyKey: `connection-test:${randomUUID()}`,
      allowPrivateNetworks: ctx.config.allowPrivateNetworks,
      timeoutMs: options.timeoutMs ?? 10_000,
      retry: { maxAttempts: 1 },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(options.tokenCache ? { tokenCache: options.tokenCache } : {}),
    });
    return { ok: response.status < 400, status: response.status, latencyMs: response.latencyMs };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    return {
      ok: false,
      ...(error.status !== undefined ? { status: error.status } : {}),
      latencyMs: Math.round(performance.now() - started),
      error: {
        code: error.code,
        message: error.message,
        ...(error.bodyExcerpt ? { bodyExcerpt: error.bodyExcerpt } : {}),
      },
    };
  }
}

/** What updateConnection may change; a setting given as '' is removed. The name and tenant stay. */
export type UpdateConnectionInput = Partial<Omit<CreateConnectionInput, 'tenantId' | 'name'>>;

/**
 * Changes a connection's type, base URL, auth type, auth settings and/or secret, and re-seals the secret to the new
 * settings (see SecretBinding). Without a new secret the stored one is kept, which needs it to open for the current
 * settings first; a new auth type takes a new secret, since the old one was for another scheme.
 */
export async function updateConnection(
  ctx: AppContext,
  tenantId: string,
  name: string,
  patch: UpdateConnectionInput,
  actor = 'cli',
): Promise<ConnectionView> {
  return ctx.kysely.transaction().execute(async (trx) => {
    const row = await findConnectionRow(trx, tenantId, name, { lock: true });
    if (!row) throw notFound(name);
    const authType = patch.authType ?? row.auth_type;
    const authTypeChanged = authType !== row.auth_type;
    const keptSettings = authTypeChanged ? {} : (row.auth_config as ConnectionAuthConfig);
    let secret = patch.secret;
    if (secret === undefined && authType !== 'none') {
      if (authTypeChanged) {
        const issue = {
          path: 'secret',
          rule: 'required',
          message: `changing the auth type to ${authType} needs its secret`,
        };
        throw new AppError('invalid_request', issue.message, { fields: [issue] });
      }
      secret = currentSecret(ctx, row, SECRET_LABEL[authType][0]);
    }
    const next = validate({
      tenantId,
      name,
      type: patch.type ?? row.type,
      baseUrl: patch.baseUrl ?? row.base_url,
      authType,
      ...keptSettings,
      ...withoutUndefined(patch),
      ...(secret !== undefined ? { secret } : {}),
    });
    const sealed =
      next.authType === 'none'
        ? null
        : sealConnectionSecret(
            ctx.secrets,
            {
              tenantId,
              connectionId: row.id,
              type: next.type,
              baseUrl: next.baseUrl,
              authType: next.authType,
              authConfig: next.config,
            },
            { [SECRET_LABEL[next.authType][0]]: secret! },
          );
    const updated = await updateConnectionRow(trx, row.id, tenantId, {
      type: next.type,
      base_url: next.baseUrl,
      auth_type: next.authType,
      auth_config: next.config as ConnectionsTable['auth_config'],
      secret_ciphertext: sealed,
    });
    const view = toView(updated);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'connection.update',
      target: row.id,
      before: toView({ ...row, has_secret: row.secret_ciphertext !== null }),
      // A new secret changes the digest even when nothing shown did.
      after: { ...view, secretChanged: patch.secret !== undefined },
    });
    return view;
  });
}

/** The stored secret's one field, opened for the row's current settings (a row altered in SQL fails here too). */
function currentSecret(ctx: AppContext, row: Selectable<ConnectionsTable>, field: string): string {
  try {
    const value = row.secret_ciphertext
      ? openConnectionSecret(ctx.secrets, bindingOf(row), row.secret_ciphertext)[field]
      : undefined;
    if (typeof value === 'string') return value;
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
  }
  const issue = {
    path: 'secret',
    rule: 'required',
    message: `the stored secret of connection "${row.name}" cannot be kept (it does not open for its current settings): give the secret again`,
  };
  throw new AppError('invalid_request', issue.message, { fields: [issue] });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function notFound(name: string): AppError {
  return new AppError('not_found', `no connection named "${name}"`);
}
