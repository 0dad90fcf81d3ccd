import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import type { SecretKeyAuth } from '../http/auth/secretKeyAuth.js';
import type { RouteResult } from '../http/defineRoute.js';
import { createMcpServer, type McpOutcomes } from './createMcpServer.js';
import { mcpAllowedHosts } from './mcpAllowedHosts.js';
import { McpCallAudit } from './mcpCallAudit.js';

/** Hop-by-hop and body framing headers: the body is handed over parsed, so they describe nothing any more. */
const DROPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * Answers one POST of the MCP API with a fresh server and stateless transport (DESIGN §15): JSON answers (no SSE
 * stream is kept open), so any API process answers any call. The caller is already authenticated (secret key with
 * the `mcp` scope), counted and its body parsed by the route pipeline; the SDK checks Host and Origin.
 */
export async function answerMcp(ctx: AppContext, auth: SecretKeyAuth, request: FastifyRequest): Promise<RouteResult> {
  const outcomes: McpOutcomes = new Map();
  const server = createMcpServer(
    {
      ctx,
      auth,
      actor: `sk:${auth.id}`,
      signal: ctx.shutdown.signal,
      logError: (error, message) => request.log.error({ err: error }, message),
    },
    outcomes,
  );
  const allowed = mcpAllowedHosts(ctx.config, request.socket?.localPort ?? ctx.config.port);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    enableDnsRebindingProtection: true,
    allowedHosts: allowed.hosts,
    allowedOrigins: allowed.origins,
  });
  const audit = new McpCallAudit(ctx, auth, outcomes, request.body);
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    await audit.answered(message);
    return send(message, options);
  };
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(webRequest(request), { parsedBody: request.body });
    const text = await response.text();
    if (response.status >= 400) throw refusal(response.status, text);
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    const type = response.headers.get('content-type');
    if (type) headers['content-type'] = type;
    const allow = response.headers.get('allow');
    if (allow) headers.allow = allow;
    return { status: response.status, body: text, headers };
  } finally {
    await server.close();
  }
}

/** The request as the Web-standard transport reads it: method and headers (the body is passed parsed). */
function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || DROPPED.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return new Request(`http://mcp.invalid${request.url}`, { method: request.method, headers });
}

/**
 * The transport's own refusals (a Host or Origin it does not allow, an Accept without both JSON and SSE, a body that
 * is no JSON-RPC message) in our error envelope, like every other refusal of the API: an MCP client reads the status
 * either way.
 */
function refusal(status: number, text: string): AppError {
  let message = 'The request is not a valid MCP message.';
  try {
    const said = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof said === 'string') message = said;
  } catch {
    // Not JSON: keep the general message.
  }
  if (status === 403) {
    return new AppError(
      'origin_not_allowed',
      `${message}. MCP is answered on the host of COMERIX_PUBLIC_URL, or on localhost at the port the server listens on.`,
    );
  }
  if (status === 415) return new AppError('unsupported_media_type', 'Send the body as application/json.');
  if (status === 406) {
    return new AppError(
      'invalid_request',
      'Send Accept: application/json, text/event-stream (the MCP transport requires both).',
    );
  }
  return new AppError('invalid_request', message);
}
