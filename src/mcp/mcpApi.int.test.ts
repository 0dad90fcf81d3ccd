import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createConnection } from '../connections/connectionService.js';
import type { Tenant } from '../db/types.js';
import { canonicalJson } from '../http/idempotency.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { createReport } from '../reports/reportService.js';
import { createSecretKey, revokeTenantSecretKey } from '../secretKeys/secretKeyService.js';
import { FLOW_FORMAT_URI } from './resources/flowFormatResource.js';

// The MCP API through the SDK's own Client over Streamable HTTP, against the real server listening on a port.

let t: TestApp;
let base: string;
let upstream: Server;
let upstreamUrl: string;
const upstreamPaths: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  upstream = createServer((req, res) => {
    upstreamPaths.push(req.url ?? '');
    res.writeHead(req.url === '/health' ? 200 : 503, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream?.close(resolve));
  await t?.close();
});

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'comerix-test-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/api/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
}

async function tenantWithKey(scopes: string[] = ['mcp']): Promise<{ tenant: Tenant; key: string; keyId: string }> {
  const { tenant } = await seedTenant(t.ctx);
  const { key, row } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'agent', scopes: scopes as never });
  return { tenant, key, keyId: row.id };
}

function text(result: CallToolResult): string {
  return (result.content[0] as { text: string }).text;
}

const validator = new AjvJsonSchemaValidator();

/** Checks a successful result against the tool's declared output schema (the client checks too; this cannot skip). */
function checkOutput(tool: Tool, result: CallToolResult): Record<string, unknown> {
  expect(result.isError ?? false, text(result)).toBe(false);
  expect(tool.outputSchema).toBeDefined();
  const check = validator.getValidator(tool.outputSchema as never)(result.structuredContent);
  expect(check.valid, `${tool.name}: ${check.valid ? '' : check.errorMessage}`).toBe(true);
  return result.structuredContent as Record<string, unknown>;
}

function rawPost(
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return fetch(`${base}/api/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

const TOOL_NAMES = [
  'analytics_query',
  'reports_list',
  'reports_run',
  'flows_list',
  'flows_get',
  'flows_validate',
  'flows_create',
  'flows_update_draft',
  'flows_publish',
  'connections_list',
  'connections_test',
  'executions_get',
  'conversations_search',
];

describe('MCP API: the SDK client over Streamable HTTP', () => {
  it('initializes, lists tools with input and output schemas, and reads both kinds of resource', async () => {
    const { tenant, key } = await tenantWithKey();
    const client = await connect(key);
    expect(client.getServerVersion()?.name).toBe('comerix');
    expect(client.getInstructions()).toContain(FLOW_FORMAT_URI);
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(60);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const create = tools.find((x) => x.name === 'flows_create')!;
    expect(create.inputSchema.required).toEqual(['definition']);

    const format = await client.readResource({ uri: FLOW_FORMAT_URI });
    const doc = format.contents[0] as { text: string; mimeType: string };
    expect(doc.mimeType).toBe('text/markdown');
    expect(doc.text).toContain('## Node types');

    const { resources } = await client.listResources();
    const flowIds = await t.ctx.kysely
      .selectFrom('flows')
      .select(['id', 'intent_name'])
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(resources.map((r) => r.uri).sort()).toEqual(
      [FLOW_FORMAT_URI, ...flowIds.map((f) => `comerix://flows/${f.id}`)].sort(),
    );
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['comerix://flows/{flowId}']);
    const flow = await client.readResource({ uri: `comerix://flows/${flowIds[0]!.id}` });
    const read = JSON.parse((flow.contents[0] as { text: string }).text) as { intentName: string; draft: unknown };
    expect(read.intentName).toBe(flowIds[0]!.intent_name);
    expect(read.draft).toMatchObject({ intent: { name: flowIds[0]!.intent_name } });
    await client.close();
  });

  it('calls every tool, each answer matching its declared output schema; every call is audited with a digest', async () => {
    const { tenant, key, keyId } = await tenantWithKey();
    await createConnection(t.ctx, { tenantId: tenant.id, name: 'shop', baseUrl: upstreamUrl });
    // An execution to read: a widget conversation on the published order_status flow.
    const widgetKey = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'w',
      origins: [ORIGIN],
      allIntents: true,
    });
    const w = new Widget(t.app);
    await w.open(widgetKey.key);
    const turn = await w.trigger('order_status');
    expect(turn.body.status).toBe('waiting_input');

    const client = await connect(key);
    const tools = new Map((await client.listTools()).tools.map((x) => [x.name, x]));
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      return checkOutput(tools.get(name)!, result);
    };

    const list = (await call('flows_list', {})) as { flows: { id: string; intentName: string }[] };
    expect(list.flows.map((f) => f.intentName).sort()).toEqual(['order_status', 'returns']);
    const orderStatus = list.flows.find((f) => f.intentName === 'order_status')!;
    const got = (await call('flows_get', { flowId: orderStatus.id })) as { draft: Record<string, unknown> };
    expect(got.draft).toMatchObject({ start: 'greet' });
    expect(await call('flows_validate', { flowId: orderStatus.id })).toEqual({ valid: true, problems: [] });

    const newFlow = {
      ...exampleFlow('returns'),
      intent: { ...(exampleFlow('returns').intent as object), name: 'refunds' },
    };
    const created = (await call('flows_create', { definition: newFlow })) as { id: string; publishedVersion: null };
    expect(created.publishedVersion).toBeNull();
    const edited = { ...newFlow, intent: { ...(newFlow.intent as object), description: 'Ask for a refund' } };
    const updated = (await call('flows_update_draft', { flowId: created.id, definition: edited })) as {
      draft: { intent: { description: string } };
    };
    expect(updated.draft.intent.description).toBe('Ask for a refund');
    const published = await call('flows_publish', { flowId: created.id });
    expect(published).toMatchObject({ version: 1, published: true });

    const connections = (await call('connections_list', {})) as { connections: Record<string, unknown>[] };
    expect(connections.connections).toEqual([
      expect.objectContaining({ name: 'shop', baseUrl: `${upstreamUrl}/`, hasSecret: false }),
    ]);
    expect(connections.connections[0]).not.toHaveProperty('tenantId');
    expect(await call('connections_test', { name: 'shop', path: '/health' })).toMatchObject({ ok: true, status: 200 });
    expect(await call('connections_test', { name: 'shop' })).toMatchObject({ ok: false, status: 503 });
    expect(upstreamPaths.slice(-2)).toEqual(['/health', '/']);

    const execution = await call('executions_get', { executionId: String(turn.body.executionId) });
    expect(execution).toMatchObject({
      executionId: turn.body.executionId,
      status: 'waiting_input',
      intentName: 'order_status',
    });
    const found = (await call('conversations_search', { intent: 'order_status', limit: 10 })) as {
      items: { conversationId: string }[];
    };
    expect(found.items.map((c) => c.conversationId)).toEqual([turn.body.conversationId]);

    const definition = { metrics: ['executions'], dimensions: ['intent'], range: { preset: 'last_7_days' } };
    const table = (await call('analytics_query', definition)) as { columns: { name: string }[]; rows: unknown[][] };
    expect(table.columns.map((c) => c.name)).toEqual(['intent', 'executions']);
    expect(table.rows).toEqual([['order_status', 1]]);
    const report = await createReport(t.ctx, { tenantId: tenant.id, name: 'Weekly sessions', definition });
    const reports = (await call('reports_list', {})) as { reports: { id: string; name: string }[] };
    expect(reports.reports.map((r) => [r.id, r.name])).toEqual([[report.id, 'Weekly sessions']]);
    const run = await call('reports_run', { reportId: report.id });
    expect(run).toMatchObject({ reportId: report.id, status: 'completed', trigger: 'manual' });
    await client.close();

    // Audit: one entry per call, by the key, with the SHA-256 of the canonical arguments and never the arguments.
    const entries = await t.ctx.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('actor', '=', `sk:${keyId}`)
      .orderBy('id')
      .execute();
    const calls = entries.filter((e) => e.action.startsWith('mcp.'));
    expect(calls.map((e) => [e.action, e.target])).toEqual([
      ['mcp.tool.ok', 'flows_list'],
      ['mcp.tool.ok', 'flows_get'],
      ['mcp.tool.ok', 'flows_validate'],
      ['mcp.tool.ok', 'flows_create'],
      ['mcp.tool.ok', 'flows_update_draft'],
      ['mcp.tool.ok', 'flows_publish'],
      ['mcp.tool.ok', 'connections_list'],
      ['mcp.tool.ok', 'connections_test'],
      ['mcp.tool.ok', 'connections_test'],
      ['mcp.tool.ok', 'executions_get'],
      ['mcp.tool.ok', 'conversations_search'],
      ['mcp.tool.ok', 'analytics_query'],
      ['mcp.tool.ok', 'reports_list'],
      ['mcp.tool.ok', 'reports_run'],
    ]);
    const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');
    expect(calls[1]!.before_digest).toBe(sha({ flowId: orderStatus.id }));
    expect(calls[0]!.before_digest).toBe(sha({}));
    // The changes themselves are audited by the services, as the admin API's are, with the key as actor.
    expect(entries.filter((e) => !e.action.startsWith('mcp.')).map((e) => e.action)).toEqual([
      'flow.create',
      'flow.update_draft',
      'flow.publish',
      'report.run',
    ]);
  });
});

describe('MCP API: an agent builds and publishes a flow, and a widget converses on it', () => {
  it('creates from nothing, sees and fixes a validation error, publishes; a widget session completes on it', async () => {
    const { tenant, key } = await tenantWithKey();
    const client = await connect(key);
    const format = (await client.readResource({ uri: FLOW_FORMAT_URI })).contents[0] as { text: string };
    expect(format.text).toContain('`ask`');

    const draft = {
      intent: {
        name: 'book_demo',
        description: 'Book a product demo',
        examples: ['I want a demo'],
        required_entities: [],
      },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'Happy to book a demo.' }] },
        {
          id: 'ask_email',
          type: 'ask',
          fields: [{ name: 'email', type: 'email', label: 'Your email', required: true }],
        },
        { id: 'thanks', type: 'message', blocks: [{ type: 'text', text: 'Booked for {{ vars.email }}.' }] },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'hello', to: 'ask_email' },
        { from: 'ask_email', to: 'thank_you' },
        { from: 'thanks', to: 'done' },
      ],
    };
    // The agent checks first: the problem names its node and path.
    const checked = (await client.callTool({
      name: 'flows_validate',
      arguments: { definition: draft },
    })) as CallToolResult;
    const problems = (checked.structuredContent as { valid: boolean; problems: { nodeId?: string; path: string }[] })
      .problems;
    expect(checked.structuredContent).toMatchObject({ valid: false });
    // As docs/mcp-api.md shows them.
    expect(problems).toEqual([
      { nodeId: 'ask_email', path: 'edges[1].to', message: 'edge to unknown node "thank_you"' },
      { nodeId: 'thanks', path: 'nodes[2]', message: 'node is not reachable from start' },
      { nodeId: 'done', path: 'nodes[3]', message: 'node is not reachable from start' },
    ]);

    // Creating it anyway is refused with a tool error that lists each problem with its node id.
    const refused = (await client.callTool({
      name: 'flows_create',
      arguments: { definition: draft },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toBeUndefined();
    expect(text(refused)).toBe(
      [
        'validation_failed: The flow has 3 problem(s).',
        'Fix each problem, then call again:',
        '- node "ask_email" at edges[1].to: edge to unknown node "thank_you"',
        '- node "thanks" at nodes[2]: node is not reachable from start',
        '- node "done" at nodes[3]: node is not reachable from start',
        `Read ${FLOW_FORMAT_URI} for the format. If the intent exists already, edit that flow with flows_update_draft.`,
      ].join('\n'),
    );
    const envelope = JSON.parse((refused.content[1] as { text: string }).text) as {
      error: { code: string; status: number };
    };
    expect(envelope.error).toMatchObject({ code: 'validation_failed', status: 422 });

    // Fixed, it validates, is created and published.
    const fixed = { ...draft, edges: [draft.edges[0]!, { from: 'ask_email', to: 'thanks' }, draft.edges[2]!] };
    expect(
      (await client.callTool({ name: 'flows_validate', arguments: { definition: fixed } })).structuredContent,
    ).toEqual({ valid: true, problems: [] });
    const created = (await client.callTool({
      name: 'flows_create',
      arguments: { definition: fixed },
    })) as CallToolResult;
    const flowId = (created.structuredContent as { id: string }).id;
    const published = (await client.callTool({ name: 'flows_publish', arguments: { flowId } })) as CallToolResult;
    expect(published.structuredContent).toMatchObject({ version: 1, published: true });
    await client.close();

    // A widget session on the tenant converses on the new flow through the public API, to completion.
    const widgetKey = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'site',
      origins: [ORIGIN],
      intents: ['book_demo'],
    });
    const w = new Widget(t.app);
    const opened = await w.open(widgetKey.key);
    expect((opened.body.intents as { name: string }[]).map((i) => i.name)).toEqual(['book_demo']);
    const ask = await w.trigger('book_demo');
    expect(ask.body.status).toBe('waiting_input');
    const done = await w.resume(ask, { email: 'ada@example.com' });
    expect(done.body.status).toBe('completed');
    expect(JSON.stringify(done.body.blocks)).toContain('Booked for ada@example.com.');
  });
});

describe('MCP API: refusals', () => {
  it('refuses a missing, unknown or revoked key (401) and a key without mcp (403) before any JSON-RPC, saying why', async () => {
    const { tenant, key, keyId } = await tenantWithKey();
    const missing = await rawPost(undefined, INITIALIZE);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: 'invalid_secret_key', status: 401, retryable: false });
    expect(String((missing.body.error as { message: string }).message)).toContain('Authorization: Bearer');
    const unknown = await rawPost(`sk_live_${'0'.repeat(40)}`, INITIALIZE);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({
      code: 'invalid_secret_key',
      message: 'The secret key is unknown or revoked.',
    });

    const engineOnly = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'engine', scopes: ['engine:read'] });
    const forbidden = await rawPost(engineOnly.key, INITIALIZE);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toMatchObject({
      code: 'forbidden',
      message: 'This secret key lacks the scope mcp.',
      details: { requiredScope: 'mcp' },
    });

    expect((await rawPost(key, INITIALIZE)).status).toBe(200);
    await revokeTenantSecretKey(t.ctx, tenant.id, keyId);
    const revoked = await rawPost(key, INITIALIZE);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toMatchObject({
      code: 'invalid_secret_key',
      message: 'The secret key is unknown or revoked.',
    });
    // The SDK client is refused too, on connect.
    await expect(connect(key)).rejects.toThrow(/401|invalid_secret_key/);
  });

  it('answers another tenant’s ids exactly as unknown ids', async () => {
    const mine = await tenantWithKey();
    const theirs = await seedTenant(t.ctx);
    const theirFlow = await t.ctx.kysely
      .selectFrom('flows')
      .select('id')
      .where('tenant_id', '=', theirs.tenant.id)
      .executeTakeFirstOrThrow();
    const w = new Widget(t.app);
    await w.open(theirs.key.key);
    const theirTurn = await w.trigger('order_status');
    const client = await connect(mine.key);
    const unknownId = '7d9f1c7e-2f4a-4c55-9a57-3f1b2c3d4e5f';
    const pairs: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['flows_get', { flowId: theirFlow.id }, { flowId: unknownId }],
      ['flows_validate', { flowId: theirFlow.id }, { flowId: unknownId }],
      ['flows_publish', { flowId: theirFlow.id }, { flowId: unknownId }],
      [
        'flows_update_draft',
        { flowId: theirFlow.id, definition: exampleFlow('order_status') },
        { flowId: unknownId, definition: exampleFlow('order_status') },
      ],
      ['executions_get', { executionId: String(theirTurn.body.executionId) }, { executionId: unknownId }],
      ['flows_get', { flowId: 'not-a-uuid' }, { flowId: unknownId }],
    ];
    for (const [name, theirArgs, unknownArgs] of pairs) {
      const a = await client.callTool({ name, arguments: theirArgs });
      const b = await client.callTool({ name, arguments: unknownArgs });
      expect(a.isError, name).toBe(true);
      expect(a, name).toEqual(b);
    }
    expect(
      text((await client.callTool({ name: 'flows_get', arguments: { flowId: unknownId } })) as CallToolResult),
    ).toBe('not_found: No such flow.\nCall flows_list for the ids of the flows this key may see.');
    // A report's not_found names the id asked for: equal to an unknown id's answer but for the id itself.
    const theirReport = await createReport(t.ctx, {
      tenantId: theirs.tenant.id,
      name: 'Theirs',
      definition: { metrics: ['sessions'], range: { preset: 'last_7_days' } },
    });
    const runTheirs = await client.callTool({ name: 'reports_run', arguments: { reportId: theirReport.id } });
    const runUnknown = await client.callTool({ name: 'reports_run', arguments: { reportId: unknownId } });
    expect(runTheirs.isError).toBe(true);
    expect(JSON.stringify(runTheirs).replaceAll(theirReport.id, '<id>')).toBe(
      JSON.stringify(runUnknown).replaceAll(unknownId, '<id>'),
    );
    const readTheirs = client.readResource({ uri: `comerix://flows/${theirFlow.id}` });
    await expect(readTheirs).rejects.toThrow(`No such flow: comerix://flows/${theirFlow.id}.`);
    const search = (await client.callTool({ name: 'conversations_search', arguments: {} })) as CallToolResult;
    expect(search.structuredContent).toEqual({ items: [], nextCursor: null });
    await client.close();
    // Nothing of theirs changed.
    const after = await t.ctx.kysely
      .selectFrom('flows')
      .select(['latest_version'])
      .where('id', '=', theirFlow.id)
      .executeTakeFirstOrThrow();
    expect(after.latest_version).toBe(1);
  });

  it('names the bad argument when the SDK refuses a call, and audits it', async () => {
    const { tenant, key, keyId } = await tenantWithKey();
    const client = await connect(key);
    const bad = (await client.callTool({ name: 'flows_get', arguments: { flowId: 42 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain('flowId');
    await client.close();
    const entry = await t.ctx.kysely
      .selectFrom('audit_log')
      .select(['action', 'target'])
      .where('tenant_id', '=', tenant.id)
      .where('actor', '=', `sk:${keyId}`)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ action: 'mcp.tool.invalid_arguments', target: 'flows_get' });
  });

  it('checks Host and Origin (DNS-rebinding protection) after the key', async () => {
    const { key } = await tenantWithKey();
    const port = new URL(base).port;
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/api/mcp',
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              authorization: `Bearer ${key}`,
              ...headers,
            },
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => {
              body += d.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(INITIALIZE));
      });
    const evilHost = await post({ host: `evil.example:${port}` });
    expect(evilHost.status).toBe(403);
    expect(JSON.parse(evilHost.body).error).toMatchObject({
      code: 'origin_not_allowed',
      message: expect.stringContaining(`Invalid Host header: evil.example:${port}`),
    });
    const evilOrigin = await post({ host: `localhost:${port}`, origin: 'https://evil.example' });
    expect(evilOrigin.status).toBe(403);
    expect(JSON.parse(evilOrigin.body).error).toMatchObject({
      code: 'origin_not_allowed',
      message: expect.stringContaining('Invalid Origin header: https://evil.example'),
    });
    expect((await post({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await post({ host: `[::1]:${port}` })).status).toBe(200);
  });

  it('answers a GET with 405 (no server-initiated stream), after the key', async () => {
    const { key } = await tenantWithKey();
    const none = await fetch(`${base}/api/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(none.status).toBe(401);
    const res = await fetch(`${base}/api/mcp`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});

describe('MCP API: limits', () => {
  it('takes a flow larger than the 64 KB JSON limit, and refuses a body over 1 MiB with 413', async () => {
    const { key } = await tenantWithKey();
    const big = exampleFlow('order_status') as { nodes: Record<string, unknown>[] };
    // ~200 KB of message text: over the JSON default, under the MCP (and admin flow) limit.
    big.nodes[0] = { id: 'greet', type: 'message', blocks: [{ type: 'text', text: 'x'.repeat(200_000) }] };
    const call = (definition: unknown) => ({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'flows_validate', arguments: { definition } },
    });
    const ok = await rawPost(key, call(big));
    expect(ok.status).toBe(200);
    expect((ok.body.result as CallToolResult).structuredContent).toHaveProperty('valid');
    const tooBig = await rawPost(key, call({ pad: 'x'.repeat(1024 * 1024) }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: 'payload_too_large' });
  });

  it('counts calls per secret key in mcp_per_secret_key: over it, 429 rate_limited naming the limit', async () => {
    const limited = await createTestApp({
      env: { COMERIX_RATE_LIMITS: 'on', COMERIX_RATE_LIMIT_OVERRIDES: 'mcp_per_secret_key=3/60' },
    });
    try {
      const { tenant } = await seedTenant(limited.ctx);
      const a = await createSecretKey(limited.ctx, { tenantId: tenant.id, label: 'a', scopes: ['mcp'] });
      const b = await createSecretKey(limited.ctx, { tenantId: tenant.id, label: 'b', scopes: ['mcp'] });
      const post = (key: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/mcp',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            host: new URL(limited.ctx.config.publicUrl).host,
          },
          payload: JSON.stringify(INITIALIZE),
        });
      for (let i = 0; i < 3; i++) {
        const res = await post(a.key);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['ratelimit-limit']).toBeDefined();
      }
      const over = await post(a.key);
      expect(over.statusCode).toBe(429);
      expect(JSON.parse(over.body).error).toMatchObject({
        code: 'rate_limited',
        details: { limit: 'mcp_per_secret_key', max: 3 },
      });
      expect(over.headers['retry-after']).toBeDefined();
      // Another key has its own count.
      expect((await post(b.key)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
