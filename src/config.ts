import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseRateLimitOverrides, type RateLimitOverrides } from './http/limits/rateBuckets.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  COMERIX_DATA_DIR: z.string().min(1).default('./data'),
  COMERIX_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .optional(),
  COMERIX_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  COMERIX_DEMO: z.enum(['on', 'off']).default('on'),
  COMERIX_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  COMERIX_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  COMERIX_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  COMERIX_JOB_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  COMERIX_TASKS_MODULE: z.string().min(1).optional(),
  COMERIX_PG_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  COMERIX_CONVERSATION_CACHE_MB: z.coerce.number().min(0).max(4096).default(4),
  COMERIX_METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{24,256}$/, 'must be 24 to 256 printable characters without spaces')
    .optional(),
  COMERIX_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  COMERIX_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  COMERIX_SHUTDOWN_SECONDS: z.coerce.number().min(1).max(600).default(10),
  COMERIX_USAGE_METERING: z.enum(['on', 'off']).default('on'),
  COMERIX_USAGE_FLUSH_SECONDS: z.coerce.number().min(0.1).max(3600).default(10),
  COMERIX_PGLITE_VACUUM_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  COMERIX_UPLOAD_DIR: z.string().min(1).optional(),
  COMERIX_ADMIN_PANEL_DIR: z.string().min(1).optional(),
  COMERIX_UPLOADS_PER_KEY_PER_DAY: z.coerce.number().int().min(0).max(10_000_000).default(1000),
  COMERIX_RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  COMERIX_RATE_LIMIT_OVERRIDES: z
    .string()
    .max(4096)
    .transform((text, issue) => {
      try {
        return parseRateLimitOverrides(text);
      } catch (error) {
        issue.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  COMERIX_LLM_DAILY_BUDGET_USD: z.coerce.number().min(0).max(1_000_000).optional(),
  COMERIX_STREAMS_PER_SESSION: z.coerce.number().int().min(1).max(1000).default(10),
  COMERIX_STREAMS_PER_PROCESS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  COMERIX_DEMO_LLM_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  COMERIX_DEMO_LLM_API_KEY: z.string().min(1).max(8192).optional(),
  COMERIX_DEMO_LLM_MODEL: z.string().min(1).max(200).optional(),
});

export interface Config {
  port: number;
  host: string;
  logLevel: (typeof logLevels)[number];
  /** `postgres` when DATABASE_URL is set, else the embedded PGlite in `dataDir`. */
  backend: 'postgres' | 'pglite';
  databaseUrl?: string;
  /** DATABASE_READ_URL: a replica analytics queries read from (PostgreSQL only); absent: the primary. */
  databaseReadUrl?: string;
  dataDir: string;
  /** Resolved lazily: embedded mode generates it into the data dir on first use. */
  masterKey: () => Buffer;
  /** COMERIX_PUBLIC_URL, or http://localhost:<port> (the real port is filled in once the server listens). */
  publicUrl: string;
  publicUrlExplicit: boolean;
  demo: boolean;
  trustProxy: boolean;
  allowPrivateNetworks: boolean;
  workerConcurrency: number;
  /** A worker that stops renewing its jobs for this long is presumed dead; its jobs run again elsewhere. */
  jobLeaseMs: number;
  /** Optional module whose exported functions are registered as `task` node handlers. */
  tasksModule?: string;
  /** Repeated statements run as named prepared statements on PostgreSQL (off behind a pooler that cannot keep them). */
  pgPreparedStatements: boolean;
  /** Heap for each conversation's state as this process's last turn wrote it (ConversationCache); 0 turns it off. */
  conversationCacheBytes: number;
  /** With it, `/metrics` on the API port answers a `Bearer <token>` request; without it, that route is a 404. */
  metricsToken?: string;
  /** A separate listener (on metricsHost, loopback by default) serving only `/metrics`: the way for `comerix worker`. */
  metricsPort?: number;
  metricsHost: string;
  /** On SIGTERM, in-flight requests and jobs get this long to finish before connections are cut. */
  shutdownMs: number;
  /** Usage metering per key × day × kind (off: nothing counted, for the bench's on/off comparison). */
  usageMetering: boolean;
  /** How often each process adds its in-memory usage counts to the database. */
  usageFlushMs: number;
  /** Embedded mode: time between two vacuum steps (one hot table each); 0 = never (PGlite has no autovacuum). */
  pgliteVacuumMs: number;
  /** The admin panel's built files (`npm run build` writes them to dist/panel), served at /admin. */
  adminPanelDir: string;
  /** Uploaded files go here when set (owner-only files), else into the database. */
  uploadDir?: string;
  /** Uploads one widget key may make per UTC day (form and chat uploads together); 0: no limit. */
  uploadsPerKeyPerDay: number;
  /**
   * Request rates per IP and per credential (DESIGN §12): off only for benchmarks. Counters live in memory, or in
   * Redis when REDIS_URL is set so that every API node shares them.
   */
  rateLimits: { enabled: boolean; overrides: RateLimitOverrides; redisUrl?: string };
  /** Each tenant's LLM spend per UTC day, in micro-USD; over it, `llm` nodes fail with `llm_budget_exceeded`. */
  llmDailyBudgetMicros?: number;
  /** Open SSE streams and long polls one session may hold, and this process in all. */
  streamsPerSession: number;
  streamsPerProcess: number;
  /** COMERIX_DEMO_LLM_*: an OpenAI-compatible endpoint for the demo's `product_advice` flow. */
  demoLlm?: { baseUrl: string; apiKey?: string; model: string };
}

export class ConfigError extends Error {}

/** The demo's model when COMERIX_DEMO_LLM_MODEL is not set. */
export const DEFAULT_DEMO_LLM_MODEL = 'gpt-4o-mini';

/** Reads and validates the environment once; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.COMERIX_DATA_DIR);
  const backend = e.DATABASE_URL ? 'postgres' : 'pglite';
  let cachedKey: Buffer | undefined;
  const masterKey = () => {
    cachedKey ??= resolveMasterKey(e.COMERIX_MASTER_KEY, backend, dataDir);
    return cachedKey;
  };
  const publicUrl = (e.COMERIX_PUBLIC_URL ?? `http://${displayHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    backend,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.DATABASE_URL && e.DATABASE_READ_URL ? { databaseReadUrl: e.DATABASE_READ_URL } : {}),
    dataDir,
    masterKey,
    publicUrl,
    publicUrlExplicit: e.COMERIX_PUBLIC_URL !== undefined,
    demo: e.COMERIX_DEMO === 'on',
    trustProxy: e.COMERIX_TRUST_PROXY === 'true',
    allowPrivateNetworks: e.COMERIX_ALLOW_PRIVATE_NETWORKS === 'true',
    workerConcurrency: e.COMERIX_WORKER_CONCURRENCY,
    jobLeaseMs: e.COMERIX_JOB_LEASE_SECONDS * 1000,
    ...(e.COMERIX_TASKS_MODULE ? { tasksModule: resolve(e.COMERIX_TASKS_MODULE) } : {}),
    pgPreparedStatements: e.COMERIX_PG_PREPARED_STATEMENTS === 'on',
    conversationCacheBytes: Math.round(e.COMERIX_CONVERSATION_CACHE_MB * 1024 * 1024),
    ...(e.COMERIX_METRICS_TOKEN ? { metricsToken: e.COMERIX_METRICS_TOKEN } : {}),
    ...(e.COMERIX_METRICS_PORT !== undefined ? { metricsPort: e.COMERIX_METRICS_PORT } : {}),
    metricsHost: e.COMERIX_METRICS_HOST,
    shutdownMs: Math.round(e.COMERIX_SHUTDOWN_SECONDS * 1000),
    usageMetering: e.COMERIX_USAGE_METERING === 'on',
    usageFlushMs: Math.round(e.COMERIX_USAGE_FLUSH_SECONDS * 1000),
    pgliteVacuumMs: Math.round(e.COMERIX_PGLITE_VACUUM_SECONDS * 1000),
    adminPanelDir: e.COMERIX_ADMIN_PANEL_DIR
      ? resolve(e.COMERIX_ADMIN_PANEL_DIR)
      : fileURLToPath(new URL('../dist/panel', import.meta.url)),
    ...(e.COMERIX_UPLOAD_DIR ? { uploadDir: resolve(e.COMERIX_UPLOAD_DIR) } : {}),
    uploadsPerKeyPerDay: e.COMERIX_UPLOADS_PER_KEY_PER_DAY,
    rateLimits: {
      enabled: e.COMERIX_RATE_LIMITS === 'on',
      overrides: e.COMERIX_RATE_LIMIT_OVERRIDES ?? {},
      ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    },
    ...(e.COMERIX_LLM_DAILY_BUDGET_USD !== undefined
      ? { llmDailyBudgetMicros: Math.round(e.COMERIX_LLM_DAILY_BUDGET_USD * 1e6) }
      : {}),
    streamsPerSession: e.COMERIX_STREAMS_PER_SESSION,
    streamsPerProcess: e.COMERIX_STREAMS_PER_PROCESS,
    ...(e.COMERIX_DEMO_LLM_BASE_URL
      ? {
          demoLlm: {
            baseUrl: e.COMERIX_DEMO_LLM_BASE_URL,
            ...(e.COMERIX_DEMO_LLM_API_KEY ? { apiKey: e.COMERIX_DEMO_LLM_API_KEY } : {}),
            model: e.COMERIX_DEMO_LLM_MODEL ?? DEFAULT_DEMO_LLM_MODEL,
          },
        }
      : {}),
  };
}

export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '127.0.0.1') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function resolveMasterKey(fromEnv: string | undefined, backend: Config['backend'], dataDir: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'hex');
  if (backend === 'postgres') {
    throw new ConfigError(
      'COMERIX_MASTER_KEY: required when DATABASE_URL is set (64 hex characters; every process must share it)',
    );
  }
  // Embedded mode keeps its own secret beside its data, readable by the owner only.
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ConfigError(`${file}: not a 64-hex-character key`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
