import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { SecretKeyAuth } from '../http/auth/secretKeyAuth.js';
import type { McpOutcomes } from './createMcpServer.js';

interface AuditedCall {
  kind: 'tool' | 'resource';
  /** The tool's name, or the resource's URI. */
  name: string;
  /** Kept in memory only: the log keeps their SHA-256 (they may hold customer data). */
  arguments: unknown;
}

const MAX_TARGET = 500;

/**
 * The tool calls and resource reads of one HTTP request's JSON-RPC messages, audited as their answers go out (DESIGN
 * §15: every call): `mcp.tool.<outcome>` or `mcp.resource.<outcome>`, actor `sk:<keyId>`, target the tool or URI,
 * the SHA-256 of the arguments in `before_digest`. The outcome is `ok` or the error's code: the tool's own (`not_found`,
 * `validation_failed`, …), `invalid_arguments` when the SDK refused the arguments before the tool ran, `rpc_error`
 * for a JSON-RPC error.
 */
export class McpCallAudit {
  private readonly calls = new Map<RequestId, AuditedCall>();

  constructor(
    private readonly ctx: AppContext,
    private readonly auth: SecretKeyAuth,
    private readonly outcomes: McpOutcomes,
    body: unknown,
  ) {
    for (const message of Array.isArray(body) ? body : [body]) {
      const m = message as {
        id?: unknown;
        method?: unknown;
        params?: { name?: unknown; uri?: unknown; arguments?: unknown };
      };
      if (typeof m?.id !== 'string' && typeof m?.id !== 'number') continue;
      if (m.method === 'tools/call') {
        this.calls.set(m.id, {
          kind: 'tool',
          name: String(m.params?.name ?? '').slice(0, MAX_TARGET),
          arguments: m.params?.arguments ?? {},
        });
      } else if (m.method === 'resources/read') {
        this.calls.set(m.id, {
          kind: 'resource',
          name: String(m.params?.uri ?? '').slice(0, MAX_TARGET),
          arguments: undefined,
        });
      }
    }
  }

  /** Records the call a message answers, if it answers one; before the message is sent, so no answer goes unaudited. */
  async answered(message: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    const id = message.id;
    if (id === undefined) return;
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    const refused = isJSONRPCErrorResponse(message)
      ? 'rpc_error'
      : (message.result as { isError?: boolean }).isError
        ? 'invalid_arguments'
        : 'ok';
    const outcome = this.outcomes.get(id) ?? refused;
    await recordAudit(this.ctx.kysely, {
      tenantId: this.auth.tenantId,
      actor: `sk:${this.auth.id}`,
      action: `mcp.${call.kind}.${outcome}`,
      target: call.name,
      // recordAudit keeps only the SHA-256 of their canonical JSON.
      before: call.arguments,
    });
  }
}
