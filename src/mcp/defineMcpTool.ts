import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ErrorCode } from '../errors/catalog.js';
import type { McpCall } from './McpCall.js';

/**
 * One MCP tool (DESIGN §15), declared once: its input and output schemas are what `tools/list` shows an agent and
 * what the SDK checks (arguments before the call, the result after). `run` calls the same service as the admin API.
 */
export interface McpTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** For an agent: what the tool does, when to call it, and what to call next. */
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /** What to do next when the service answers one of these codes (appended to the error's own message). */
  hints?: Partial<Record<ErrorCode, string>>;
  run(call: McpCall, args: z.infer<I>): Promise<z.infer<O>>;
}

export function defineMcpTool<I extends z.ZodObject, O extends z.ZodObject>(tool: McpTool<I, O>): McpTool<I, O> {
  return tool;
}
