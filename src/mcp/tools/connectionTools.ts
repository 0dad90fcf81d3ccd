import { z } from 'zod';
import { listConnections, testConnection } from '../../connections/connectionService.js';
import { connectionWireView } from '../../connections/connectionWireView.js';
import { connectionList, connectionTestAnswer, connectionTestBody } from '../../wire/adminSchemas.js';
import { defineMcpTool } from '../defineMcpTool.js';

// The admin API's connection services: secrets are never returned; a test is one GET through the outbound client,
// behind the SSRF guard, exactly as the admin panel's Test button.

export const connectionsListTool = defineMcpTool({
  name: 'connections_list',
  title: 'List connections',
  description:
    'Lists the connections (named HTTP APIs and LLM providers) that `http` and `llm` nodes name in their "connection" field: name, type, base URL and auth type. Secrets are never shown. Use a name from here in a flow; create connections in the admin panel.',
  input: z.object({}),
  output: connectionList,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ ctx, auth }) => ({
    connections: (await listConnections(ctx, auth.tenantId)).map((c) => {
      const view = connectionWireView(c);
      return { ...view, authConfig: { ...view.authConfig } };
    }),
  }),
});

export const connectionsTestTool = defineMcpTool({
  name: 'connections_test',
  title: 'Test a connection',
  description:
    'Sends one GET to the connection\'s base URL (or `path` below it, e.g. "/health") with its auth, and reports ok (a status below 400), the status and the latency. A failure is an answer (ok: false with the error code and message), not a tool error. Changes nothing.',
  input: z.object({
    name: z.string().min(1).max(64).describe('The connection name, from connections_list.'),
    path: connectionTestBody.shape.path.describe('A path below the base URL to GET instead of the base URL itself.'),
  }),
  output: connectionTestAnswer,
  annotations: { readOnlyHint: true, openWorldHint: true },
  hints: { not_found: 'Call connections_list for the names of this tenant’s connections.' },
  run: async ({ ctx, auth, signal }, args) =>
    testConnection(ctx, auth.tenantId, args.name, { ...(args.path !== undefined ? { path: args.path } : {}), signal }),
});
