import type { AppContext } from '../app/AppContext.js';
import type { SecretKeyAuth } from '../http/auth/secretKeyAuth.js';

/** What a tool receives besides its arguments: the caller, already authenticated with the `mcp` scope. */
export interface McpCall {
  ctx: AppContext;
  auth: SecretKeyAuth;
  /** `sk:<keyId>`: what the audit log names as the one who changed a flow. */
  actor: string;
  /** Aborts when the client cancels the call or the server shuts down. */
  signal: AbortSignal;
  /** Logs a failure the caller is not shown (the request's logger). */
  logError(error: unknown, message: string): void;
}
