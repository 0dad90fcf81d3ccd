import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import { AppError } from '../../errors/AppError.js';
import type { AnyRoute } from '../defineRoute.js';
import { RATE_BUCKETS, type RateBucket, type RateBucketName, rateBucketNames } from './rateBuckets.js';

type Check = (request: FastifyRequest) => Promise<{
  isAllowed: boolean;
  max?: number;
  remaining?: number;
  ttlInSeconds?: number;
  isExceeded?: boolean;
}>;

/** The client address as counted: an IPv6 client by its /64, which one subscriber typically holds whole. */
export function clientOf(request: FastifyRequest): string {
  return `ip:${normalizeIP(request.ip)}`;
}

/** The bucket key of the request being checked: the plugin's key generator reads it back. */
const keyOf = new WeakMap<FastifyRequest, string>();

/** The tightest answer so far for a request: the one whose `RateLimit-*` headers it carries. */
const tightest = new WeakMap<FastifyRequest, { remaining: number }>();

/**
 * DESIGN §12's rate limits on @fastify/rate-limit's counters (in memory, or Redis shared by every API node). Per-IP
 * buckets are checked before the body is read; per-credential buckets once the caller is authenticated.
 */
export class RateLimits {
  private constructor(
    private readonly checks: Map<RateBucketName, Check>,
    private readonly buckets: Record<RateBucketName, RateBucket>,
  ) {}

  static async install(app: FastifyInstance, config: Config): Promise<RateLimits | undefined> {
    if (!config.rateLimits.enabled) return undefined;
    const redis = config.rateLimits.redisUrl
      ? new Redis(config.rateLimits.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
      : undefined;
    if (redis) {
      // Failures surface on the requests that need the counter; an unhandled `error` event would end the process.
      redis.on('error', (error: Error) => app.log.warn({ err: error }, 'rate limit store unreachable'));
      app.addHook('onClose', async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
    }
    await app.register(fastifyRateLimit, {
      global: false,
      enableDraftSpec: true,
      nameSpace: 'comerix-rl:',
      // The limiter must not become the outage: with its store unreachable, requests pass unlimited (and are logged).
      skipOnError: true,
      ...(redis ? { redis } : {}),
    });
    const buckets = { ...RATE_BUCKETS } as Record<RateBucketName, RateBucket>;
    for (const [name, override] of Object.entries(config.rateLimits.overrides)) {
      const bucket = buckets[name as RateBucketName];
      buckets[name as RateBucketName] = { ...bucket, ...override };
    }
    const checks = new Map<RateBucketName, Check>();
    for (const name of rateBucketNames) {
      const bucket = buckets[name];
      checks.set(
        name,
        app.createRateLimit({
          max: bucket.max,
          timeWindow: bucket.windowSeconds * 1000,
          keyGenerator: (request) => keyOf.get(request) ?? `${name}:${clientOf(request)}`,
        }) as Check,
      );
    }
    return new RateLimits(checks, buckets);
  }

  /** The buckets a route is counted in: its declared ones, the per-IP floor, and a per-credential default. */
  static bucketsOf(route: AnyRoute): { ip: RateBucketName[]; credential: RateBucketName[] } {
    const declared = new Set<RateBucketName>(['requests_per_ip', ...(route.limits?.rate ?? [])]);
    const credential = [...declared].filter((name) => RATE_BUCKETS[name].per === 'credential');
    if (credential.length === 0 && route.auth !== 'none') {
      credential.push(route.auth === 'secretKey' ? 'engine_per_secret_key' : 'requests_per_credential');
    }
    return { ip: [...declared].filter((name) => RATE_BUCKETS[name].per === 'ip'), credential };
  }

  limit(name: RateBucketName): RateBucket {
    return this.buckets[name];
  }

  /** Counts the request in each bucket under `subject` (the IP, or the caller); over any → 429 `rate_limited`. */
  async check(
    request: FastifyRequest,
    reply: FastifyReply,
    names: readonly RateBucketName[],
    subject: string,
  ): Promise<void> {
    for (const name of names) {
      keyOf.set(request, `${name}:${subject}`);
      const result = await this.checks.get(name)!(request);
      keyOf.delete(request);
      if (result.isAllowed || result.max === undefined) continue;
      const remaining = result.remaining ?? 0;
      const reset = String(result.ttlInSeconds ?? 0);
      const best = tightest.get(request);
      if (result.isExceeded || !best || remaining < best.remaining) {
        tightest.set(request, { remaining });
        reply.header('ratelimit-limit', String(result.max));
        reply.header('ratelimit-remaining', String(remaining));
        reply.header('ratelimit-reset', reset);
      }
      if (result.isExceeded) {
        throw new AppError(
          'rate_limited',
          `Too many requests (${name}). Retry after ${reset} seconds.`,
          { limit: name, max: result.max, windowSeconds: this.buckets[name].windowSeconds },
          { 'Retry-After': reset },
        );
      }
    }
  }
}
