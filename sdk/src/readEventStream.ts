/** One server-sent event as received (comments such as `: ping` are skipped). */
export interface RawEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Parses a `text/event-stream` body (the WHATWG rules: `\n`, `\r\n` or `\r` line ends, multi-line `data`, comments).
 * Hand-written because `EventSource` cannot send the Bearer header the stream needs.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        // A lone `\r` at the end may be the first half of `\r\n`: wait for the next chunk.
        if (end < 0 || (end === buffer.length - 1 && buffer.endsWith('\r'))) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (data.length > 0 || event) yield { event: event || 'message', data: data.join('\n'), id };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
    }
  } finally {
    // Stopping early (the consumer broke out, or an abort) must release the connection.
    await reader.cancel().catch(() => undefined);
  }
}
