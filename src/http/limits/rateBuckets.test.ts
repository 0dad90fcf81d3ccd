import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/testApp.js';
import { parseRateLimitOverrides } from './rateBuckets.js';

describe('COMERIX_RATE_LIMIT_OVERRIDES', () => {
  it('reads name=max and name=max/seconds, the window defaulting to the bucket’s own', () => {
    expect(parseRateLimitOverrides('sessions_per_ip=100/30, messages_per_session=120')).toEqual({
      sessions_per_ip: { max: 100, windowSeconds: 30 },
      messages_per_session: { max: 120, windowSeconds: 60 },
    });
    expect(parseRateLimitOverrides('')).toEqual({});
  });

  it('refuses an unknown bucket, a bad shape and a zero window, naming the variable', () => {
    expect(() => parseRateLimitOverrides('session_per_ip=3')).toThrow(/not a rate limit/);
    expect(() => parseRateLimitOverrides('sessions_per_ip=many')).toThrow(/name=max/);
    expect(() => parseRateLimitOverrides('sessions_per_ip=3/0')).toThrow(/at least 1 second/);
    expect(() => testConfig({ COMERIX_RATE_LIMIT_OVERRIDES: 'nope=1' })).toThrow(/COMERIX_RATE_LIMIT_OVERRIDES/);
  });

  it('is on by default, with the stream caps of DESIGN §12', () => {
    const config = testConfig({ COMERIX_RATE_LIMITS: 'on' });
    expect(config.rateLimits.enabled).toBe(true);
    expect(config.streamsPerSession).toBe(10);
    expect(testConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).rateLimits.redisUrl).toBe('redis://127.0.0.1:6379');
  });
});
