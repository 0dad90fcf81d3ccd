import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import type { AppContext } from '../app/AppContext.js';
import { runCommand } from '../cli/runCommand.js';
import { json } from '../db/json.js';
import { AppError } from '../errors/AppError.js';
import { OAuthTokenCache } from '../outbound/oauth2.js';
import { StubServer, sendJson } from '../outbound/test-support/stubServer.js';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnection,
} from './connectionService.js';
import { resealLegacyConnectionSecrets } from './resealLegacyConnectionSecrets.js';
import { resolveConnection } from './resolveConnection.js';
import { encryptSecret } from './secretBox.js';

let t: TestApp;
/** The same database with COMERIX_ALLOW_PRIVATE_NETWORKS=true, as the tests' own stub servers are on loopback. */
let open: AppContext;
let tenantA: string;
let tenantB: string;
let slugA: string;
let stub: StubServer;

beforeAll(async () => {
  t = await createTestApp({ env: { COMERIX_ALLOW_PRIVATE_NETWORKS: 'false' } });
  open = { ...t.ctx, config: { ...t.ctx.config, allowPrivateNetworks: true } };
  const a = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
  const b = await seedTenant(t.ctx, { flows: [], key: { allIntents: true } });
  tenantA = a.tenant.id;
  slugA = a.tenant.slug;
  tenantB = b.tenant.id;
  stub = await StubServer.start((req, res) =>
    req.headers.authorization === 'Bearer good-token-123'
      ? sendJson(res, 200, { ok: true })
      : sendJson(res, 401, { error: 'bad credentials', got: req.headers.authorization ?? null }),
  );
});
afterAll(async () => {
  await stub?.close();
  await t?.close();
});

async function rejects(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('connection CRUD', () => {
  it('creates, lists, gets and deletes, never returning the secret', async () => {
    const secret = 'sk_live_very_secret_value_0001';
    const created = await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'shop_api',
      baseUrl: 'https://api.shop.example/v1/',
      authType: 'header',
      headerName: 'X-Api-Key',
      secret,
    });
    expect(created).toMatchObject({
      tenantId: tenantA,
      name: 'shop_api',
      type: 'http',
      baseUrl: 'https://api.shop.example/v1/',
      authType: 'header',
      authConfig: { headerName: 'X-Api-Key' },
      hasSecret: true,
    });
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'llm',
      type: 'openai',
      baseUrl: 'https://llm.example/v1',
      authType: 'bearer',
      secret: 'sk-openai-secret-0002',
    });
    const listed = await listConnections(t.ctx, tenantA);
    expect(listed.map((c) => c.name)).toEqual(['llm', 'shop_api']);
    const got = await getConnection(t.ctx, tenantA, 'shop_api');
    expect(got).toEqual(created);
    for (const value of [created, listed, got]) {
      const text = `${JSON.stringify(value)}${inspect(value, { depth: 9 })}`;
      expect(text).not.toContain(secret);
      expect(text).not.toContain('sk-openai-secret');
      expect(text).not.toContain('ciphertext');
    }

    const row = await t.ctx.kysely
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_ciphertext).toMatch(/^v2\.[A-Za-z0-9_-]{40,}$/);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.auth_config).toEqual({ headerName: 'X-Api-Key' });

    const resolved = await resolveConnection(t.ctx, tenantA, 'shop_api');
    expect(resolved?.auth).toEqual({ type: 'header', headerName: 'X-Api-Key', value: secret });
    expect(JSON.stringify(resolved)).not.toContain(secret);

    const deleted = await deleteConnection(t.ctx, tenantA, 'shop_api');
    expect(deleted.id).toBe(created.id);
    expect((await rejects(getConnection(t.ctx, tenantA, 'shop_api'))).code).toBe('not_found');
    expect(await resolveConnection(t.ctx, tenantA, 'shop_api')).toBeUndefined();
  });

  it("isolates tenants: another tenant's connection is not found, and names are per tenant", async () => {
    await createConnection(t.ctx, { tenantId: tenantA, name: 'shared-name', baseUrl: 'https://a.example' });
    await createConnection(t.ctx, { tenantId: tenantB, name: 'shared-name', baseUrl: 'https://b.example' });
    await createConnection(t.ctx, { tenantId: tenantA, name: 'only-a', baseUrl: 'https://a.example' });
    expect((await rejects(getConnection(t.ctx, tenantB, 'only-a'))).code).toBe('not_found');
    expect((await rejects(deleteConnection(t.ctx, tenantB, 'only-a'))).code).toBe('not_found');
    expect((await rejects(testConnection(t.ctx, tenantB, 'only-a'))).code).toBe('not_found');
    expect(await resolveConnection(t.ctx, tenantB, 'only-a')).toBeUndefined();
    expect((await getConnection(t.ctx, tenantB, 'shared-name')).baseUrl).toBe('https://b.example/');
    expect((await listConnections(t.ctx, tenantB)).map((c) => c.name)).toEqual(['shared-name']);
    const duplicate = await rejects(
      createConnection(t.ctx, { tenantId: tenantA, name: 'shared-name', baseUrl: 'https://x.example' }),
    );
    expect(duplicate).toMatchObject({
      code: 'invalid_request',
      message: 'a connection named "shared-name" already exists',
    });
    await getConnection(t.ctx, tenantA, 'only-a');
  });

  it('a ciphertext moved onto another row does not decrypt', async () => {
    const a = await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'moved-from',
      baseUrl: 'https://a.example',
      authType: 'bearer',
      secret: 'tok-moved-1',
    });
    const b = await createConnection(t.ctx, {
      tenantId: tenantB,
      name: 'moved-to',
      baseUrl: 'https://b.example',
      authType: 'bearer',
      secret: 'tok-other-2',
    });
    const row = await t.ctx.kysely
      .selectFrom('connections')
      .select('secret_ciphertext')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await t.ctx.kysely
      .updateTable('connections')
      .set({ secret_ciphertext: row.secret_ciphertext })
      .where('id', '=', b.id)
      .execute();
    const error = await rejects(resolveConnection(t.ctx, tenantB, 'moved-to'));
    expect(error.code).toBe('internal_error');
    expect(error.message).not.toContain('tok-moved');
  });

  it('validates input with messages that never echo a secret', async () => {
    const base = { tenantId: tenantA, baseUrl: 'https://ok.example' };
    const cases: [Parameters<typeof createConnection>[1], string][] = [
      [{ ...base, name: 'Bad Name' }, 'name'],
      [{ ...base, name: '1abc' }, 'name'],
      [{ ...base, name: 'x', baseUrl: 'ftp://x.example' }, 'baseUrl'],
      [{ ...base, name: 'x', baseUrl: 'https://user:pass-SECRET@x.example' }, 'baseUrl'],
      [{ ...base, name: 'x', baseUrl: 'https://x.example/?key=SECRET' }, 'baseUrl'],
      [{ ...base, name: 'x', authType: 'bearer' }, 'secret'],
      [{ ...base, name: 'x', authType: 'bearer', secret: 'tok\r\nX-Evil: SECRET' }, 'secret'],
      [{ ...base, name: 'x', authType: 'none', secret: 'SECRET' }, 'secret'],
      [{ ...base, name: 'x', authType: 'header', secret: 'SECRET' }, 'headerName'],
      [{ ...base, name: 'x', authType: 'header', headerName: 'Host', secret: 'SECRET' }, 'headerName'],
      [{ ...base, name: 'x', authType: 'basic', secret: 'SECRET' }, 'username'],
      [{ ...base, name: 'x', authType: 'bearer', username: 'u', secret: 'SECRET' }, 'username'],
      [{ ...base, name: 'x', authType: 'oauth2_client_credentials', clientId: 'c', secret: 'SECRET' }, 'tokenUrl'],
      [
        {
          ...base,
          name: 'x',
          authType: 'oauth2_client_credentials',
          tokenUrl: 'https://auth.example/token',
          secret: 'SECRET',
        },
        'clientId',
      ],
      [{ ...base, name: 'x', type: 'ftp' as never }, 'type'],
      [{ ...base, name: 'x', authType: 'digest' as never }, 'authType'],
    ];
    for (const [input, field] of cases) {
      const error = await rejects(createConnection(t.ctx, input));
      expect(error.code, field).toBe('invalid_request');
      expect(
        (error.details!.fields as { path: string }[]).map((f) => f.path),
        field,
      ).toContain(field);
      expect(error.message).not.toContain('SECRET');
      expect(JSON.stringify(error.details)).not.toContain('SECRET');
    }
  });
});

describe('the secret is bound to where and how it is sent', () => {
  /** Someone who can write rows but holds no master key: the attacker's own host records what reaches it. */
  let attacker: StubServer;
  beforeAll(async () => {
    attacker = await StubServer.start();
  });
  afterAll(async () => {
    await attacker?.close();
  });

  async function bearerTo(name: string): Promise<string> {
    const created = await createConnection(t.ctx, {
      tenantId: tenantA,
      name,
      baseUrl: `${stub.origin}/api`,
      authType: 'bearer',
      secret: 'good-token-123',
    });
    return created.id;
  }

  async function refusedWithoutSending(name: string): Promise<void> {
    const before = attacker.requests.length + stub.requests.length;
    const error = await rejects(resolveConnection(t.ctx, tenantA, name));
    expect(error.code).toBe('internal_error');
    expect(error.message).toContain(`connection "${name}": its secret does not open for its current base URL`);
    expect(error.message).not.toContain('good-token-123');
    expect((await rejects(testConnection(open, tenantA, name))).message).toContain('was not used');
    expect(attacker.requests.length + stub.requests.length).toBe(before);
  }

  it('a base URL changed in SQL makes the connection fail instead of sending the credential to the new host', async () => {
    const id = await bearerTo('moved-host');
    expect((await testConnection(open, tenantA, 'moved-host')).ok).toBe(true);
    await t.ctx.kysely
      .updateTable('connections')
      .set({ base_url: `${attacker.origin}/` })
      .where('id', '=', id)
      .execute();
    await refusedWithoutSending('moved-host');
    expect(attacker.connections).toBe(0);
  });

  it('so do an auth type, auth settings or type changed in SQL', async () => {
    const header = await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'header-conn',
      baseUrl: stub.origin,
      authType: 'header',
      headerName: 'X-Api-Key',
      secret: 'good-token-123',
    });
    const changes = [
      { auth_config: json({ headerName: 'X-Logged-By-Proxy' }) },
      { auth_type: 'bearer' as const, auth_config: json({}) },
      { type: 'openai' as const },
    ];
    for (const change of changes) {
      const row = await t.ctx.kysely
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', header.id)
        .executeTakeFirstOrThrow();
      await t.ctx.kysely.updateTable('connections').set(change).where('id', '=', header.id).execute();
      await refusedWithoutSending('header-conn');
      // Put the row back exactly as it was: the secret opens again.
      await t.ctx.kysely
        .updateTable('connections')
        .set({ type: row.type, auth_type: row.auth_type, auth_config: json(row.auth_config as Record<string, string>) })
        .where('id', '=', header.id)
        .execute();
      expect((await resolveConnection(t.ctx, tenantA, 'header-conn'))?.auth).toMatchObject({ value: 'good-token-123' });
    }
  });

  it("the service's own update re-seals: a new base URL, auth settings or auth type keep working", async () => {
    await bearerTo('updated');
    attacker.reset();
    const moved = await updateConnection(t.ctx, tenantA, 'updated', { baseUrl: `${attacker.origin}/v2` });
    expect(moved).toMatchObject({ baseUrl: `${attacker.origin}/v2`, authType: 'bearer', hasSecret: true });
    expect((await testConnection(open, tenantA, 'updated')).ok).toBe(true);
    expect(attacker.requests[0]!.headers.authorization).toBe('Bearer good-token-123');

    const missing = await rejects(updateConnection(t.ctx, tenantA, 'updated', { authType: 'header' }));
    expect(missing.code).toBe('invalid_request');
    const header = await updateConnection(t.ctx, tenantA, 'updated', {
      authType: 'header',
      headerName: 'X-Api-Key',
      secret: 'new-key-1',
    });
    expect(header.authConfig).toEqual({ headerName: 'X-Api-Key' });
    await updateConnection(t.ctx, tenantA, 'updated', { headerName: 'X-Other-Key' });
    const resolved = await resolveConnection(t.ctx, tenantA, 'updated');
    expect(resolved?.auth).toEqual({ type: 'header', headerName: 'X-Other-Key', value: 'new-key-1' });
    const none = await updateConnection(t.ctx, tenantA, 'updated', { authType: 'none' });
    expect(none).toMatchObject({ authType: 'none', authConfig: {}, hasSecret: false });
    expect((await rejects(updateConnection(t.ctx, tenantB, 'updated', {}))).code).toBe('not_found');
  });

  it('an update cannot launder a row changed in SQL: keeping the secret needs it to open first', async () => {
    const id = await bearerTo('laundered');
    await t.ctx.kysely
      .updateTable('connections')
      .set({ base_url: `${attacker.origin}/` })
      .where('id', '=', id)
      .execute();
    const error = await rejects(updateConnection(t.ctx, tenantA, 'laundered', { baseUrl: `${attacker.origin}/x` }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('give the secret again');
    await updateConnection(t.ctx, tenantA, 'laundered', { baseUrl: `${stub.origin}/api`, secret: 'good-token-123' });
    expect((await testConnection(open, tenantA, 'laundered')).ok).toBe(true);
  });

  it('v1 secrets open only through the start-up re-seal, which binds them to their settings', async () => {
    const id = await bearerTo('legacy');
    const v1 = encryptSecret(
      t.ctx.secrets.key('connections'),
      { token: 'good-token-123' },
      `comerix:connection:v1:${tenantA}:${id}`,
    );
    await t.ctx.kysely.updateTable('connections').set({ secret_ciphertext: v1 }).where('id', '=', id).execute();
    expect((await rejects(resolveConnection(t.ctx, tenantA, 'legacy'))).message).toContain('old format');
    const result = await resealLegacyConnectionSecrets(t.ctx.kysely, t.ctx.secrets);
    expect(result).toEqual({ resealed: 1, unreadable: 0 });
    expect((await testConnection(open, tenantA, 'legacy')).ok).toBe(true);
    expect(await resealLegacyConnectionSecrets(t.ctx.kysely, t.ctx.secrets)).toEqual({ resealed: 0, unreadable: 0 });
    // Once re-sealed, moving the row is caught like any other.
    await t.ctx.kysely
      .updateTable('connections')
      .set({ base_url: `${attacker.origin}/` })
      .where('id', '=', id)
      .execute();
    await refusedWithoutSending('legacy');
  });
});

describe('testConnection', () => {
  it('GETs the base URL (or a path) with the auth and reports status and latency', async () => {
    await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'stub-good',
      baseUrl: `${stub.origin}/api`,
      authType: 'bearer',
      secret: 'good-token-123',
    });
    stub.reset();
    const ok = await testConnection(open, tenantA, 'stub-good');
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    const withPath = await testConnection(open, tenantA, 'stub-good', { path: '/health' });
    expect(withPath.ok).toBe(true);
    expect(stub.requests.map((r) => r.url)).toEqual(['/api', '/api/health']);
    expect(stub.requests[0]!.headers['idempotency-key']).toMatch(/^connection-test:/);
  });

  it('reports a refused credential without revealing it', async () => {
    await createConnection(t.ctx, {
      tenantId: tenantA,
      name: 'stub-bad',
      baseUrl: stub.origin,
      authType: 'bearer',
      secret: 'wrong-token-456',
    });
    stub.reset();
    const result = await testConnection(open, tenantA, 'stub-bad');
    expect(result).toMatchObject({ ok: false, status: 401, error: { code: 'http_status' } });
    expect(stub.requests).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain('wrong-token-456');
    expect(result.error?.bodyExcerpt).toContain('bad credentials');
  });

  it('refuses private targets unless private networks are allowed, without connecting', async () => {
    for (const [name, baseUrl] of [
      ['ssrf-ten', 'http://10.0.0.1'],
      ['ssrf-meta', 'http://169.254.169.254'],
      ['ssrf-v6', `http://[::1]:${stub.port}`],
      ['ssrf-mapped', `http://[::ffff:127.0.0.1]:${stub.port}`],
      ['ssrf-name', `http://localhost:${stub.port}`],
    ] as const) {
      await createConnection(t.ctx, { tenantId: tenantA, name, baseUrl });
    }
    stub.reset();
    for (const name of ['ssrf-ten', 'ssrf-meta', 'ssrf-v6', 'ssrf-mapped', 'ssrf-name']) {
      const result = await testConnection(t.ctx, tenantA, name);
      expect(result, name).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    }
    expect(stub.connections).toBe(0);
    const allowed = await testConnection(open, tenantA, 'ssrf-name');
    expect(allowed.status).toBe(401);
    expect(stub.requests).toHaveLength(1);
  });

  it('tests an oauth2 connection through its token endpoint', async () => {
    const tokenServer = await StubServer.start((req, res) =>
      req.url === '/token'
        ? sendJson(res, 200, { access_token: 'good-token-123', expires_in: 60 })
        : sendJson(res, 404, {}),
    );
    try {
      await createConnection(t.ctx, {
        tenantId: tenantA,
        name: 'stub-oauth',
        baseUrl: stub.origin,
        authType: 'oauth2_client_credentials',
        tokenUrl: `${tokenServer.origin}/token`,
        clientId: 'cid',
        secret: 'client-secret-789',
      });
      const result = await testConnection(open, tenantA, 'stub-oauth', { tokenCache: new OAuthTokenCache() });
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(tokenServer.requests).toHaveLength(1);
    } finally {
      await tokenServer.close();
    }
  });
});

describe('connection:* commands', () => {
  it('create, list, test and delete print exactly their value', async () => {
    const id = await runCommand(open, {
      command: 'connection:create',
      tenant: slugA,
      name: 'cli-conn',
      baseUrl: stub.origin,
      authType: 'bearer',
      secret: 'good-token-123',
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const table = await runCommand(open, { command: 'connection:list', tenant: slugA });
    expect(table.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+AUTH\s+BASE URL\s+ID$/);
    expect(table).toContain('cli-conn');
    expect(table).not.toContain('good-token-123');
    stub.reset();
    expect(await runCommand(open, { command: 'connection:test', tenant: slugA, name: 'cli-conn' })).toMatch(
      /^ok 200 \d+ms$/,
    );
    await runCommand(open, {
      command: 'connection:create',
      tenant: slugA,
      name: 'cli-bad',
      baseUrl: stub.origin,
      authType: 'bearer',
      secret: 'nope-token-000',
    });
    const failed = await rejects(runCommand(open, { command: 'connection:test', tenant: slugA, name: 'cli-bad' }));
    expect(failed.message).toContain('HTTP 401');
    expect(failed.message).not.toContain('nope-token-000');
    expect(failed.code).not.toBe('invalid_request');
    expect(await runCommand(open, { command: 'connection:delete', tenant: slugA, name: 'cli-conn' })).toBe(id);
    expect(
      (await rejects(runCommand(open, { command: 'connection:test', tenant: slugA, name: 'cli-conn' }))).code,
    ).toBe('not_found');
  });
});
