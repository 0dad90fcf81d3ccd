/**
 * Every rate limit, named once (DESIGN §12). `per: 'ip'` counts the client address (COMERIX_TRUST_PROXY decides
 * whether X-Forwarded-For is believed); `per: 'credential'` counts the authenticated caller: the public key, the
 * session or the secret key. Defaults are overridable by COMERIX_RATE_LIMIT_OVERRIDES.
 */
export const RATE_BUCKETS = {
  /** Every route, whatever its auth kind, so a route declared later is limited by construction. */
  requests_per_ip: { per: 'ip', max: 1200, windowSeconds: 60 },
  /** A credential's own ceiling where the route declares nothing narrower. */
  requests_per_credential: { per: 'credential', max: 1200, windowSeconds: 60 },
  sessions_per_ip: { per: 'ip', max: 30, windowSeconds: 60 },
  sessions_per_public_key: { per: 'credential', max: 1200, windowSeconds: 60 },
  messages_per_session: { per: 'credential', max: 60, windowSeconds: 60 },
  messages_per_ip: { per: 'ip', max: 600, windowSeconds: 60 },
  events_per_credential: { per: 'credential', max: 300, windowSeconds: 60 },
  form_reads_per_ip: { per: 'ip', max: 300, windowSeconds: 60 },
  submissions_per_ip: { per: 'ip', max: 30, windowSeconds: 60 },
  submissions_per_public_key: { per: 'credential', max: 600, windowSeconds: 60 },
  uploads_per_ip: { per: 'ip', max: 30, windowSeconds: 60 },
  engine_per_secret_key: { per: 'credential', max: 1200, windowSeconds: 60 },
  mcp_per_secret_key: { per: 'credential', max: 600, windowSeconds: 60 },
  /** For the admin login routes (auth kind `admin`): guessing passwords is slow by construction. */
  admin_logins_per_ip: { per: 'ip', max: 10, windowSeconds: 60 },
} as const satisfies Record<string, RateBucket>;

export interface RateBucket {
  per: 'ip' | 'credential';
  max: number;
  windowSeconds: number;
}

export type RateBucketName = keyof typeof RATE_BUCKETS;

export const rateBucketNames = Object.keys(RATE_BUCKETS) as RateBucketName[];

export type RateLimitOverrides = Partial<Record<RateBucketName, { max: number; windowSeconds: number }>>;

/**
 * Parses `name=max/seconds,name=max` (seconds default to the bucket's own window); a name that is not a bucket
 * throws, so a typo does not silently leave the default in place.
 */
export function parseRateLimitOverrides(text: string): RateLimitOverrides {
  const overrides: RateLimitOverrides = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^([a-z_]{1,64})=(\d{1,9})(?:\/(\d{1,7}))?$/.exec(item);
    if (!match) throw new Error(`"${item}" is not name=max or name=max/seconds`);
    const name = match[1] as RateBucketName;
    if (!(name in RATE_BUCKETS)) throw new Error(`"${match[1]}" is not a rate limit (${rateBucketNames.join(', ')})`);
    const seconds = match[3] === undefined ? RATE_BUCKETS[name].windowSeconds : Number(match[3]);
    if (seconds < 1) throw new Error(`"${item}": the window is at least 1 second`);
    overrides[name] = { max: Number(match[2]), windowSeconds: seconds };
  }
  return overrides;
}

/**
 * The buckets a widget key may override: those counted per credential whose caller is the key or one of its
 * sessions. Per-IP buckets are counted before the body is read, so the key is not known yet; secret-key buckets
 * never count a widget key's callers.
 */
export const keyOverridableBuckets: readonly RateBucketName[] = [
  'requests_per_credential',
  'sessions_per_public_key',
  'messages_per_session',
  'events_per_credential',
  'submissions_per_public_key',
];

/** One `--rate-limit` flag: `name=max`, `name=max/seconds`, or `name=default` (null: back to the default). */
export function parseKeyRateLimit(text: string): [string, { max: number; windowSeconds?: number } | null] {
  const match = /^([a-z_]{1,64})=(?:(default)|(\d{1,9})(?:\/(\d{1,7}))?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not name=max, name=max/seconds or name=default`);
  if (match[2]) return [match[1]!, null];
  return [match[1]!, { max: Number(match[3]), ...(match[4] === undefined ? {} : { windowSeconds: Number(match[4]) }) }];
}
