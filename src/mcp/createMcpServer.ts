import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, McpError, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors/AppError.js';
import { getFlow, listFlowsOf } from '../flows/flowsById.js';
import { adminIdParams } from '../wire/adminSchemas.js';
import type { McpTool } from './defineMcpTool.js';
import type { McpCall } from './McpCall.js';
import { mcpTools } from './mcpTools.js';
import { FLOW_FORMAT_URI, flowFormatText } from './resources/flowFormatResource.js';
import { toolErrorResult } from './toolErrorResult.js';

/** The JSON-RPC code MCP gives a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;
export const FLOW_URI_TEMPLATE = 'comerix://flows/{flowId}';

const INSTRUCTIONS = `Comerix runs conversational flows behind a chat widget. To build one: read the resource ${FLOW_FORMAT_URI} (the flow file format), check a definition with flows_validate, save it with flows_create (new intent) or flows_update_draft (existing flow), then flows_publish. connections_list names the APIs that http and llm nodes may call. conversations_search and executions_get show what happened in conversations; analytics_query, reports_list and reports_run measure it.`;

/**
 * What each call answered, by JSON-RPC request id: `ok` or an error code. The route's audit reads it when the
 * response goes out (a call refused by the SDK's own argument check never reaches a tool, and is named there).
 */
export type McpOutcomes = Map<RequestId, string>;

/**
 * A fresh MCP server for one HTTP request (stateless: nothing survives the request, so any API process answers any
 * call), its tools and resources bound to the authenticated secret key's tenant.
 */
export function createMcpServer(call: McpCall, outcomes: McpOutcomes): McpServer {
  const server = new McpServer(
    { name: 'comerix', title: 'Comerix', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  for (const tool of mcpTools) registerTool(server, tool, call, outcomes);

  server.registerResource(
    'flow-format',
    FLOW_FORMAT_URI,
    {
      title: 'The flow file format',
      description:
        'Every node type, field, port and expression rule of a flow definition, with examples: read it before writing a flow.',
      mimeType: 'text/markdown',
    },
    async (uri, extra) => {
      outcomes.set(extra.requestId, 'ok');
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: flowFormatText() }] };
    },
  );

  server.registerResource(
    'flow',
    new ResourceTemplate(FLOW_URI_TEMPLATE, {
      list: async () => ({
        resources: (await listFlowsOf(call.ctx, call.auth.tenantId)).map((f) => ({
          uri: `comerix://flows/${f.id}`,
          name: f.intentName,
          title: `Flow ${f.intentName}`,
          description: f.description,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'A flow definition',
      description: "A flow's current draft definition with its versions' numbers, as JSON.",
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      const raw = Array.isArray(variables.flowId) ? variables.flowId[0] : variables.flowId;
      try {
        const flow = await getFlow(call.ctx, call.auth.tenantId, adminIdParams.shape.id.parse(raw ?? ''));
        outcomes.set(extra.requestId, 'ok');
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(flow, null, 2) }] };
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') {
          outcomes.set(extra.requestId, 'not_found');
          throw new McpError(RESOURCE_NOT_FOUND, `No such flow: ${uri.href}. Call flows_list for the flow ids.`);
        }
        throw error;
      }
    },
  );
  return server;
}

function registerTool(server: McpServer, tool: McpTool, call: McpCall, outcomes: McpOutcomes): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    (async (args: unknown, extra: { requestId: RequestId; signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        const signal = AbortSignal.any([extra.signal, call.ctx.shutdown.signal]);
        const output = await tool.run({ ...call, signal }, args as never);
        outcomes.set(extra.requestId, 'ok');
        return {
          content: [{ type: 'text', text: JSON.stringify(output) }],
          structuredContent: output as Record<string, unknown>,
        };
      } catch (error) {
        const known =
          error instanceof AppError ? error : new AppError('internal_error', 'The call failed on our side; retry it.');
        if (!(error instanceof AppError)) call.logError(error, `mcp tool ${tool.name} failed`);
        outcomes.set(extra.requestId, known.code);
        return toolErrorResult(known, tool.hints?.[known.code]);
      }
    }) as never,
  );
}
