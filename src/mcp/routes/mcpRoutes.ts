import { SECRET_KEY_ROUTE_ERRORS } from '../../engineApi/routes/engineRouteErrors.js';
import { AppError } from '../../errors/AppError.js';
import { type AnyRoute, defineRoute } from '../../http/defineRoute.js';
import { mcpRequestBody, mcpResponseBody } from '../../wire/mcpSchemas.js';
import { answerMcp } from '../answerMcp.js';

export const MCP_PATH = '/api/mcp';
/** A whole flow file travels in one call (flows_create, flows_update_draft): the admin API's flow limit. */
export const MCP_BODY_BYTES = 1024 * 1024;
const TAGS = ['MCP'];

export const mcpRoute = defineRoute({
  method: 'POST',
  path: MCP_PATH,
  operationId: 'mcp',
  summary: 'The MCP server: JSON-RPC 2.0 over Streamable HTTP (stateless)',
  description:
    "An MCP server for AI agents (docs/mcp-api.md). Send `Accept: application/json, text/event-stream`; answers are JSON. The secret key (scope `mcp`) is checked before any JSON-RPC: missing, unknown or revoked → 401 `invalid_secret_key`, no `mcp` scope → 403 `forbidden`, in the error envelope. The Host (and any Origin) must be the public URL's or localhost on the served port, else 403 `origin_not_allowed`; a body that is no MCP message → 400 `invalid_request`. Every tool call and resource read is audited.",
  tags: TAGS,
  auth: 'secretKey',
  scope: 'mcp',
  bodyDoc: mcpRequestBody,
  limits: { bodyBytes: MCP_BODY_BYTES, rate: ['mcp_per_secret_key'] },
  response: {
    status: 200,
    description: 'The JSON-RPC answer (202 with no body for notifications only)',
    schema: mcpResponseBody,
  },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'origin_not_allowed', 'payload_too_large', 'unsupported_media_type'],
  handler: async ({ ctx, auth, request }) => answerMcp(ctx, auth, request),
});

/** The transport's GET (a server-initiated event stream): a stateless server offers none, which MCP says with 405. */
export const mcpStreamRoute = defineRoute({
  method: 'GET',
  path: MCP_PATH,
  operationId: 'mcpStream',
  summary: 'Not offered: the MCP server is stateless and keeps no event stream (405)',
  tags: TAGS,
  auth: 'secretKey',
  scope: 'mcp',
  limits: { rate: ['mcp_per_secret_key'] },
  response: { status: 405, description: 'Always 405 `method_not_allowed`, with `Allow: POST`.' },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'method_not_allowed'],
  handler: async () => {
    throw new AppError(
      'method_not_allowed',
      'This MCP server is stateless and keeps no event stream: POST JSON-RPC messages to /api/mcp.',
      undefined,
      { allow: 'POST' },
    );
  },
});

/** The MCP API (DESIGN §15), secret key with the `mcp` scope. */
export const mcpRoutes: AnyRoute[] = [mcpRoute, mcpStreamRoute];
