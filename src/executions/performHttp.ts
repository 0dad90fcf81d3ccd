import { resolveConnection } from '../connections/resolveConnection.js';
import type { Json } from '../engine/types.js';
import { OutboundError } from '../outbound/OutboundError.js';
import { outboundRequest } from '../outbound/outboundRequest.js';
import { type HttpPerformer, JobFailure } from './continueExecution.js';

/**
 * An `http` node's job: one call through the outbound client (SSRF guard, retries by method and error type,
 * the job's Idempotency-Key). What the node's `saveAs` stores is `{status, headers, body}`.
 */
export const performHttp: HttpPerformer = async (ctx, payload, signal) => {
  const { request } = payload;
  const connection = await resolveConnection(ctx, payload.tenantId, request.connection);
  if (!connection) throw new JobFailure('http_error', `No connection named "${request.connection}".`);
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
      const detail = error.status ? ` (${error.status}${error.bodyExcerpt ? `: ${error.bodyExcerpt}` : ''})` : '';
      // Connection-level trouble may pass; a status the server chose, a blocked address or a bad URL will not.
      const retryable = error.retryable && error.code !== 'http_status';
      throw new JobFailure('http_error', `${error.message}${detail}`, retryable);
    }
    throw error;
  }
};
