import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { splitUtf8 } from '../events/ChangeBus.js';
import { TOKEN_BATCH_MS, TokenBatcher } from './tokenBatcher.js';

describe('TokenBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers deltas for one window, sends them as one, and flushes the rest at once', () => {
    const sent: string[] = [];
    const batcher = new TokenBatcher((text) => sent.push(text));
    batcher.push('Hel');
    batcher.push('lo');
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(TOKEN_BATCH_MS);
    expect(sent).toEqual(['Hello']);
    batcher.push(' wor');
    batcher.push('ld');
    batcher.flush();
    expect(sent).toEqual(['Hello', ' world']);
    batcher.flush();
    vi.advanceTimersByTime(TOKEN_BATCH_MS * 2);
    expect(sent).toEqual(['Hello', ' world']);
  });
});

describe('splitUtf8', () => {
  it('keeps short text whole and splits long text on code points under the byte limit', () => {
    expect(splitUtf8('abc', 10)).toEqual(['abc']);
    const text = `${'é'.repeat(7)}😀x`;
    const pieces = splitUtf8(text, 5);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(5);
    // No piece starts or ends inside a surrogate pair.
    expect(pieces.every((p) => !/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(p))).toBe(true);
    expect(pieces.at(-1)).toBe('😀x');
  });
});
