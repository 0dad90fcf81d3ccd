import { resolveConnection } from '../connections/resolveConnection.js';
import type { Json } from '../engine/types.js';
import { OutboundError } from '../outbound/OutboundError.js';
import { outboundRequest } from '../outbound/outboundRequest.js';
import { type HttpPerformer, JobFailure } from './continueExecution.js';

/**
 * An `http` node's job: one call through the outbound client (SSRF guard, retries by method and error type,
 * the job's Idempotency-Key). What the node's `saveAs` stores is `{status, headers, body}`.
 * Failures reach the visitor as a short message naming the connection and the status only; the full reason
 * (URL path, response excerpt) goes to the worker log, since it can hold a customer's data.
 */
export const performHttp: HttpPerformer = async (ctx, payload, signal) => {
  const { request } = payload;
  const name = request.connection;
  const connection = await resolveConnection(ctx, payload.tenantId, name).catch((error: unknown) => {
    throw new JobFailure('http_error', `The connection "${name}" cannot be used right now.`, false, errorText(error));
  });
  if (!connection) throw new JobFailure('http_error', `There is no connection named "${name}".`);
  try {
    const response = await outboundRequest({
      connection,
      method: request.method,
      path: request.path,
      ...(request.query ? { query: request.query } : {}),
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
      idempotencyKey: payload.idempotencyKey,
      allowPrivateNetworks: ctx.config.allowPrivateNetworks,
      signal,
    });
    return { status: response.status, headers: response.headers, body: (response.body ?? null) as Json };
  } catch (error) {
    if (error instanceof OutboundError) {
      const detail = `${error.message}${error.status ? ` (${error.status}${error.bodyExcerpt ? `: ${error.bodyExcerpt}` : ''})` : ''}`;
      // Connection-level trouble may pass; a status the server chose, a blocked address or a bad URL will not.
      const retryable = error.retryable && error.code !== 'http_status';
      throw new JobFailure('http_error', publicMessage(name, error), retryable, detail);
    }
    throw error;
  }
};

function publicMessage(name: string, error: OutboundError): string {
  switch (error.code) {
    case 'http_status':
      return `The call to "${name}" answered HTTP ${error.status}.`;
    case 'ssrf_blocked':
      return `The connection "${name}" points to an address that is not allowed.`;
    case 'timeout':
      return `The call to "${name}" timed out.`;
    case 'connection_error':
      return `The call to "${name}" could not connect.`;
    default:
      return `The call to "${name}" failed (${error.code}).`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
