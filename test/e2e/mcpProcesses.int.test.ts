import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContext } from '../../src/app/createContext.js';
import type { Db } from '../../src/db/openDatabase.js';
import { createSecretKey } from '../../src/secretKeys/secretKeyService.js';
import { exampleFlow, seedTenant } from '../support/fixtures.js';
import { type Spawned, spawnComerix, waitForBanner } from '../support/spawnComerix.js';
import { backend, openTestDb, testConfig } from '../support/testApp.js';

// Two real API processes on one PostgreSQL database: the MCP server is stateless, so consecutive calls of one client
// may land on either process. Each start compiles with tsx: on a shared machine that can take most of a minute.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const MASTER_KEY = 'a'.repeat(64);
let db: (Db & { url?: string }) | undefined;
let secretKey: string;
const running: Spawned[] = [];

beforeAll(async () => {
  if (backend !== 'postgres') return;
  db = await openTestDb();
  const ctx = await createContext(testConfig({ DATABASE_URL: db.url! }), db);
  const { tenant } = await seedTenant(ctx, { flows: [exampleFlow('order_status')], key: { allIntents: true } });
  secretKey = (await createSecretKey(ctx, { tenantId: tenant.id, label: 'agent', scopes: ['mcp'] })).key;
  await ctx.events.close();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await db?.close();
});

async function serve(): Promise<string> {
  const p = spawnComerix(['serve'], { DATABASE_URL: db!.url!, COMERIX_MASTER_KEY: MASTER_KEY, PORT: '0' });
  running.push(p);
  return (await waitForBanner(p)).url;
}

describe.runIf(backend === 'postgres')('MCP API across two API processes', () => {
  it('answers consecutive calls of one client from either process, the second seeing what the first wrote', async () => {
    const targets = await Promise.all([serve(), serve()]);
    expect(new Set(targets).size).toBe(2);
    // A round-robin balancer in front of the two: each HTTP request goes to the next process, Host and all.
    const answeredBy: string[] = [];
    let next = 0;
    const balanced = (input: string | URL | Request, init?: RequestInit) => {
      const target = targets[next++ % targets.length]!;
      answeredBy.push(target);
      const url = new URL(String(input instanceof Request ? input.url : input));
      return fetch(new URL(url.pathname, target), init);
    };
    const client = new Client({ name: 'balanced-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/api/mcp', targets[0]), {
        requestInit: { headers: { authorization: `Bearer ${secretKey}` } },
        fetch: balanced,
      }),
    );
    const listed = (await client.callTool({ name: 'flows_list', arguments: {} })) as CallToolResult;
    const flowId = (listed.structuredContent as { flows: { id: string }[] }).flows[0]!.id;
    const flow = (await client.callTool({ name: 'flows_get', arguments: { flowId } })) as CallToolResult;
    const draft = (flow.structuredContent as { draft: { intent: Record<string, unknown> } }).draft;
    const edited = { ...draft, intent: { ...draft.intent, description: 'Edited by an agent' } };
    const updated = (await client.callTool({
      name: 'flows_update_draft',
      arguments: { flowId, definition: edited },
    })) as CallToolResult;
    expect(updated.isError ?? false).toBe(false);
    const published = (await client.callTool({ name: 'flows_publish', arguments: { flowId } })) as CallToolResult;
    expect(published.structuredContent).toMatchObject({ version: 2, published: true });
    const again = (await client.callTool({ name: 'flows_get', arguments: { flowId } })) as CallToolResult;
    expect(again.structuredContent).toMatchObject({
      publishedVersion: 2,
      draft: { intent: { description: 'Edited by an agent' } },
    });
    await client.close();
    // initialize, initialized, five calls (and the client's GET for a stream, 405): both processes answered.
    expect(answeredBy.length).toBeGreaterThanOrEqual(7);
    expect(new Set(answeredBy)).toEqual(new Set(targets));
  });
});
