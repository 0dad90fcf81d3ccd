import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AppError } from '../errors/AppError.js';

interface FieldProblem {
  path?: unknown;
  rule?: unknown;
  message?: unknown;
  nodeId?: unknown;
}

/**
 * A failed call as the agent reads it (`isError: true`): what went wrong, each problem on its own line with its node
 * id and path, and what to do next; then the §12 envelope as JSON for a program. No structuredContent: the output
 * schema describes success only.
 */
export function toolErrorResult(error: AppError, hint: string | undefined): CallToolResult {
  const lines = [`${error.code}: ${error.message}`];
  const fields = (error.details as { fields?: FieldProblem[] } | undefined)?.fields;
  if (Array.isArray(fields) && fields.length > 0) {
    lines.push('Fix each problem, then call again:');
    for (const f of fields) {
      const where = typeof f.nodeId === 'string' ? `node "${f.nodeId}" at ${String(f.path)}` : String(f.path);
      const message = String(f.message);
      // The flow validator already prefixes its messages with the node; say it once.
      const text = typeof f.nodeId === 'string' ? message.replace(`node ${f.nodeId}: `, '') : message;
      lines.push(`- ${where}: ${text}`);
    }
  }
  if (hint) lines.push(hint);
  if (error.retryable) lines.push('This may succeed if retried later.');
  const envelope = {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      retryable: error.retryable,
      ...(error.details ? { details: error.details } : {}),
    },
  };
  return {
    isError: true,
    content: [
      { type: 'text', text: lines.join('\n') },
      { type: 'text', text: JSON.stringify(envelope) },
    ],
  };
}
