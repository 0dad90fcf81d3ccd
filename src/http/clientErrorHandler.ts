import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { AppError } from '../errors/AppError.js';
import { errorBody } from './errorHandler.js';

/**
 * Requests Node's HTTP parser refuses never reach Fastify (headers too large, a malformed request line): they still
 * get the §12 envelope, not Fastify's default body, and the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('headers_too_large', 'The request headers (or URL) are larger than allowed. Send less.')
      : new AppError('invalid_request', 'The request could not be parsed as HTTP.');
  const body = JSON.stringify(errorBody(appError, `req_${randomUUID().replaceAll('-', '')}`));
  socket.end(
    `HTTP/1.1 ${appError.status} ${appError.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      'cache-control: no-store\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
