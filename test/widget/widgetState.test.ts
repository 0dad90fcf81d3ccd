import { describe, expect, it } from 'vitest';
import { ComerixError } from '../../sdk/src/index.js';
import { classify, problemText } from '../../web/widget/src/widgetState.js';

const error = (code: ComerixError['code'], status: number, retryAfterMs?: number) =>
  new ComerixError({
    code,
    status,
    message: code,
    retryable: false,
    requestId: 'req_1',
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });

describe('what the widget tells a person', () => {
  it.each([
    ['origin_not_allowed', 403, 'config'],
    ['invalid_public_key', 401, 'revoked'],
    ['invalid_session_token', 401, 'session_ended'],
    ['intent_not_matched', 404, 'unknown_intent'],
    ['intent_not_allowed', 403, 'unknown_intent'],
    ['rate_limited', 429, 'rate_limited'],
    ['internal_error', 500, 'error'],
  ] as const)('%s (%i) → %s', async (code, status, kind) => {
    expect((await classify(error(code, status), async () => true)).kind).toBe(kind);
  });

  it('tells a refused origin (the server answers, the browser hides it) from being offline', async () => {
    expect((await classify(error('network_error', 0), async () => true)).kind).toBe('config');
    expect((await classify(error('network_error', 0), async () => false)).kind).toBe('offline');
  });

  it("names the page's origin, and the wait of a rate limit", async () => {
    const config = await classify(error('origin_not_allowed', 403), async () => true);
    expect(problemText(config, 'https://shop.example')).toContain('(https://shop.example) is probably not among');
    const limited = await classify(error('rate_limited', 429, 2500), async () => true);
    expect(problemText(limited, 'x')).toContain('wait 3 s');
  });
});
