import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import type { KeyRateLimits } from '../../db/types.js';
import { AppError } from '../../errors/AppError.js';
import type { ChangeBus } from '../../events/ChangeBus.js';
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

/** The max of the request being checked, when its key overrides the bucket's: the limiter's `max` reads it back. */
const maxOf = new WeakMap<FastifyRequest, number>();

/** The tightest answer so far for a request: the one whose `RateLimit-*` headers it carries. */
const tightest = new WeakMap<FastifyRequest, { remaining: number }>();

/**
 * DESIGN §12's rate limits on @fastify/rate-limit's counters (in memory, or Redis shared by every API node). Per-IP
 * buckets are checked before the body is read; per-credential buckets once the caller is authenticated.
 */
export class RateLimits {
  /**
   * The overrides of a credential's key as last seen in this process: a session's key is in memory only while its
   * session is (SessionCache, 30 s), and a message that finds it gone reads its row after being counted. Dropped
   * with every key change (`forget`), so a changed override applies at once.
   */
  private readonly seen = new LRUCache<string, KeyRateLimits>({ max: 50_000 });

  private constructor(
    private readonly app: FastifyInstance,
    private readonly checks: Map<string, Check>,
    private readonly buckets: Record<RateBucketName, RateBucket>,
  ) {}

  static async install(app: FastifyInstance, config: Config, events: ChangeBus): Promise<RateLimits | undefined> {
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
    const limits = new RateLimits(app, new Map(), buckets);
    for (const name of rateBucketNames) limits.limiter(name, buckets[name].windowSeconds);
    events.on('keys', () => limits.forget());
    return limits;
  }

  /** The limiter of a bucket over a window: one per window a key asks for, so each counter keeps its own window. */
  private limiter(name: RateBucketName, windowSeconds: number): Check {
    const id = `${name}/${windowSeconds}`;
    let check = this.checks.get(id);
    if (!check) {
      const fallback = this.buckets[name].max;
      check = this.app.createRateLimit({
        max: (request: FastifyRequest) => maxOf.get(request) ?? fallback,
        timeWindow: windowSeconds * 1000,
        keyGenerator: (request) => keyOf.get(request) ?? `${name}:${clientOf(request)}`,
      }) as Check;
      this.checks.set(id, check);
    }
    return check;
  }

  /** Drops the remembered overrides (a key changed somewhere). */
  forget(): void {
    this.seen.clear();
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

  /**
   * Counts the request in each bucket under `subject` (the IP, or the caller); over any → 429 `rate_limited`.
   * `keyLimits` are the overrides of the caller's widget key when it is in memory (undefined: not known here); they
   * replace a bucket's max and window for this caller only.
   */
  async check(
    request: FastifyRequest,
    reply: FastifyReply,
    names: readonly RateBucketName[],
    subject: string,
    keyLimits?: KeyRateLimits,
  ): Promise<void> {
    let own = keyLimits;
    if (own) this.seen.set(subject, own);
    else own = this.seen.get(subject);
    for (const name of names) {
      const override = own?.[name];
      const windowSeconds = override?.windowSeconds ?? this.buckets[name].windowSeconds;
      // Another window is another counter: the default's key stays as it was, so counts survive a deploy.
      const window = windowSeconds === this.buckets[name].windowSeconds ? '' : `/${windowSeconds}`;
      keyOf.set(request, `${name}${window}:${subject}`);
      if (override) maxOf.set(request, override.max);
      const result = await this.limiter(name, windowSeconds)(request);
      keyOf.delete(request);
      maxOf.delete(request);
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
          { limit: name, max: result.max, windowSeconds },
          { 'Retry-After': reset },
        );
      }
    }
  }
}
