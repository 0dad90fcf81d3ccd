import { describe, expect, it } from 'vitest';
import { readEventStream } from '../../sdk/src/readEventStream.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]) {
  const events = [];
  for await (const event of readEventStream(streamOf(chunks))) events.push(event);
  return events;
}

describe('readEventStream', () => {
  it('parses events split anywhere across chunks, skipping ping comments', async () => {
    const text = ': ping\n\nid: 1\nevent: block\ndata: {"a":1}\n\nevent: token\ndata: {"delta":"é"}\n\n';
    const bytes = [...text];
    expect(await collect(bytes)).toEqual([
      { event: 'block', data: '{"a":1}', id: '1' },
      // The last event id carries over to events without one (what a reconnection sends).
      { event: 'token', data: '{"delta":"é"}', id: '1' },
    ]);
  });

  it('accepts \\r\\n and \\r line ends, even with \\r\\n split between chunks, and multi-line data', async () => {
    expect(await collect(['id: 7\r', '\nevent: done\r\ndata: line one\rdata: line two\r\n\r\n'])).toEqual([
      { event: 'done', data: 'line one\nline two', id: '7' },
    ]);
  });

  it('defaults the event name to message and drops an unterminated last event', async () => {
    expect(await collect(['data:x\n\ndata: cut off'])).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });
});
