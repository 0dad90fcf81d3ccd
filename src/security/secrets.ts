import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Purpose-bound keys derived from the master key, so a token of one kind can never verify as another
 * and rotating one purpose (by kid) leaves the others alone.
 */
export class Secrets {
  private readonly cache = new Map<string, Buffer>();
  constructor(private readonly masterKey: Buffer) {}

  key(purpose: string): Buffer {
    let key = this.cache.get(purpose);
    if (!key) {
      key = createHmac('sha256', this.masterKey).update(`comerix:${purpose}`).digest();
      this.cache.set(purpose, key);
    }
    return key;
  }

  mac(purpose: string, data: string): Buffer {
    return createHmac('sha256', this.key(purpose)).update(data).digest();
  }
}

/** Constant-time comparison of two strings of possibly different lengths. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    // Still spend the comparison so length mismatch and content mismatch look alike.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}
