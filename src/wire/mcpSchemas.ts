import { z } from 'zod';

// The MCP API's HTTP body (DESIGN §15): JSON-RPC 2.0 messages of the Model Context Protocol, Streamable HTTP. The
// methods and their params are the protocol's (initialize, tools/list, tools/call, resources/list, resources/read, …);
// the tools' own schemas are listed by `tools/list` and in docs/mcp-api.md.

const jsonRpcId = z.union([z.string(), z.number().int()]);

const jsonRpcMessage = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: jsonRpcId.optional().describe('Absent on a notification (answered 202, no body).'),
    method: z.string().describe('An MCP method: initialize, tools/list, tools/call, resources/list, resources/read, …'),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('A JSON-RPC 2.0 request or notification.');

export const mcpRequestBody = z
  .union([jsonRpcMessage, z.array(jsonRpcMessage)])
  .describe('One JSON-RPC message of the Model Context Protocol (or a batch of them).');

const jsonRpcResponse = z.object({
  jsonrpc: z.literal('2.0'),
  id: jsonRpcId.nullable(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
});

export const mcpResponseBody = z
  .union([jsonRpcResponse, z.array(jsonRpcResponse)])
  .describe(
    'The JSON-RPC answer. A failed tool call is a result with isError: true and text that says what to fix, not a JSON-RPC error.',
  );
