import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dbErrorKind } from '../db/sqlState.js';
import { AppError } from '../errors/AppError.js';
import { errorCatalog } from '../errors/catalog.js';

/** Maps framework errors (body parser, limits) to our stable codes. */
function fromFastify(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_request', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The body is larger than the limit for this endpoint (64 KB for JSON).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_request', 'The Content-Length does not match the body.');
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new AppError('invalid_request', 'The body is not valid JSON.');
  }
  if (error.statusCode === 413) return new AppError('payload_too_large', 'The body is too large.');
  if (error.statusCode === 415) return new AppError('unsupported_media_type', 'Unsupported content type.');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid_request', 'The request is not valid.');
  }
  return undefined;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  // A refused origin gets no CORS headers at all, even ones set provisionally before its key was known.
  if (error.code === 'origin_not_allowed') {
    for (const name of Object.keys(reply.getHeaders())) {
      if (name.startsWith('access-control-')) reply.removeHeader(name);
    }
  }
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(errorBody(error, request.id));
}

/** The §12 envelope of an error, as every error response (and a replayed one) carries it. */
export function errorBody(error: AppError, requestId: string) {
  return {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      retryable: error.retryable,
      ...(error.details ? { details: error.details } : {}),
      requestId,
    },
  };
}

/** One place maps every error to the §12 envelope; unexpected ones are logged and never leak a stack or SQL. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = error instanceof AppError ? error : fromFastify(error);
    if (mapped) return sendError(request, reply, mapped);
    // A deadlock or serialization failure rolled the request back whole: a retry is safe and will pass.
    if (dbErrorKind(error) === 'conflict') {
      request.log.warn({ err: error }, 'transient database conflict');
      return sendError(
        request,
        reply,
        new AppError('conversation_busy', 'The conversation was busy with another request. Retry shortly.', undefined, {
          'Retry-After': '1',
        }),
      );
    }
    request.log.error({ err: error }, 'unhandled error');

    const unavailable = dbErrorKind(error) === 'unavailable';
    return sendError(
      request,
      reply,
      unavailable
        ? new AppError('unavailable', 'The service is temporarily unavailable. Retry with backoff.', undefined, {
            'Retry-After': '2',
          })
        : new AppError('internal_error', 'Something went wrong on our side. Retry with backoff.'),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

export const statusOf = (code: keyof typeof errorCatalog) => errorCatalog[code].status;
