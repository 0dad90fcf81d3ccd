import type { FastifyReply } from 'fastify';

/** A server-sent event: `ping` is written as a comment that keeps the connection alive. */
export type SseEvent = { event: 'ping' } | { event: string; data: unknown; id?: number };

/**
 * Writes events as `text/event-stream` until the iterator ends (errors found before the stream starts were already
 * answered as plain JSON); a failure mid-stream becomes one `error` event with the §12 envelope.
 */
export async function writeEventStream(
  reply: FastifyReply,
  events: AsyncIterable<SseEvent>,
  options: { closing: () => boolean },
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Headers go out now, not with the first event (which may be a ping 15 s away): the client knows the stream is open.
  raw.flushHeaders();
  const write = (text: string) => {
    if (!raw.writableEnded && !raw.destroyed) raw.write(text);
  };
  let settled = false;
  try {
    for await (const e of events) {
      if (!('data' in e)) write(': ping\n\n');
      else write(`${e.id !== undefined ? `id: ${e.id}\n` : ''}event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      if (e.event === 'done') settled = true;
    }
    // Cut short by a shutdown: say so, so the client reconnects (Last-Event-ID) to another process instead of
    // taking the closed connection for the end of the execution.
    if (!settled && options.closing()) write(`event: error\ndata: ${JSON.stringify(restarting(reply))}\n\n`);
  } catch (error) {
    const envelope = {
      error: {
        code: 'internal_error',
        message: 'The stream failed; poll the execution.',
        status: 500,
        retryable: true,
        requestId: reply.request.id,
      },
    };
    write(`event: error\ndata: ${JSON.stringify(envelope)}\n\n`);
    reply.log.error({ err: error }, 'stream failed');
  } finally {
    // Shutting down: close the connection after this response so the server's close is not held by keep-alive.
    if (options.closing()) raw.shouldKeepAlive = false;
    raw.end();
  }
}

function restarting(reply: FastifyReply) {
  return {
    error: {
      code: 'unavailable',
      message: 'The server is restarting; reconnect with Last-Event-ID, or poll the execution.',
      status: 503,
      retryable: true,
      requestId: reply.request.id,
    },
  };
}
