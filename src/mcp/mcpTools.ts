import type { McpTool } from './defineMcpTool.js';
import { analyticsQueryTool, reportsListTool, reportsRunTool } from './tools/analyticsTools.js';
import { connectionsListTool, connectionsTestTool } from './tools/connectionTools.js';
import { conversationsSearchTool } from './tools/conversationTools.js';
import { executionsGetTool } from './tools/executionTools.js';
import {
  flowsCreateTool,
  flowsGetTool,
  flowsListTool,
  flowsPublishTool,
  flowsUpdateDraftTool,
  flowsValidateTool,
} from './tools/flowTools.js';

/** Every tool of the MCP API (DESIGN §15), in the order `tools/list` shows them. */
export const mcpTools: readonly McpTool[] = [
  analyticsQueryTool,
  reportsListTool,
  reportsRunTool,
  flowsListTool,
  flowsGetTool,
  flowsValidateTool,
  flowsCreateTool,
  flowsUpdateDraftTool,
  flowsPublishTool,
  connectionsListTool,
  connectionsTestTool,
  executionsGetTool,
  conversationsSearchTool,
] as unknown as readonly McpTool[];
