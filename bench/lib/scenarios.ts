import { randomUUID } from 'node:crypto';
import {
  createWaitingExecutions,
  dealOut,
  openSessionRequest,
  openSessions,
  pollRequest,
  resumeRequest,
  rotate,
  telemetryBatchRequest,
  triggerRequest,
  type WaitingExecution,
} from './chatApi.js';
import { type LoadResult, type LoadSpec, runLoad } from './load.js';
import type { ServerProcess } from './servers.js';

export interface Timing {
  /** Seconds of each timed run. */
  duration: number;
  /** Seconds of the untimed run before it (JIT, pool connections, caches). */
  warmup: number;
  connections: number;
  /** Longest wait for a quiet machine before each timed run (ms). */
  quietWaitMs: number;
}

export interface ScenarioContext {
  server: ServerProcess;
  /** The PostgreSQL bench database (its backends' CPU is sampled); undefined on PGlite. */
  database?: string;
  publicKey: string;
  timing: Timing;
  log: (line: string) => void;
}

export interface ScenarioRow {
  key:
    | 'turnRateLimited'
    | 'ceiling'
    | 'session'
    | 'trigger'
    | 'resume'
    | 'turn'
    | 'turnMeteringOff'
    | 'turnWebhook'
    | 'poll'
    | 'formSchema'
    | 'telemetry'
    | 'jobPickup';
  name: string;
  /** False for scenarios whose endpoint does not exist yet: printed as "n/a (not built yet)". */
  built: boolean;
  load?: LoadResult;
  /** How the run was bounded and anything a reader needs to interpret the row. */
  note?: string;
}

/** Untimed warm-up, then the timed run with the server process sampled. */
async function measure(
  ctx: ScenarioContext,
  spec: Omit<LoadSpec, 'url' | 'connections' | 'server' | 'duration'>,
  bound: { duration: number } | { amount: number; warmupAmount: number },
): Promise<LoadResult> {
  const base = { ...spec, url: ctx.server.url, connections: ctx.timing.connections };
  const timed = timedRun(ctx);
  if ('amount' in bound) {
    if (bound.warmupAmount > 0) await runLoad({ ...base, amount: bound.warmupAmount });
    return runLoad({ ...base, ...timed, amount: bound.amount });
  }
  if (ctx.timing.warmup > 0) await runLoad({ ...base, duration: ctx.timing.warmup });
  return runLoad({ ...base, ...timed, duration: bound.duration });
}

/** What makes a run a timed one: the server is sampled, and it starts on a quiet machine if it can. */
function timedRun(ctx: ScenarioContext) {
  return {
    server: { pid: ctx.server.pid, ...(ctx.database ? { database: ctx.database } : {}) },
    quietWaitMs: ctx.timing.quietWaitMs,
    log: ctx.log,
  };
}

const isStatus = (status: string) => (body: string) => body.includes(`"status":"${status}"`);

/** The ceiling (bench/ceiling.ts): each connection posts to its own session id, like the chat scenarios. */
export async function ceilingScenario(ctx: ScenarioContext): Promise<ScenarioRow> {
  const load = await measure(
    ctx,
    {
      requests: () => [
        {
          method: 'POST',
          path: '/messages',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: randomUUID(), text: 'hello there' }),
        },
      ],
      verifyBody: (body) => body.includes('"recent":['),
    },
    { duration: ctx.timing.duration },
  );
  return { key: 'ceiling', name: 'ceiling: bare Fastify, 1 INSERT + 1 SELECT', built: true, load };
}

/** POST /chat/sessions: a new conversation + session per request. */
export async function sessionOpenScenario(ctx: ScenarioContext): Promise<ScenarioRow> {
  const load = await measure(
    ctx,
    {
      requests: (client) => [openSessionRequest(ctx.publicKey, `bench-open-${client}`)],
      verifyBody: (body) => body.includes('"sessionToken":"'),
    },
    { duration: ctx.timing.duration },
  );
  return { key: 'session', name: 'session open', built: true, load };
}

/** Sessions per connection in the trigger and turn scenarios, so a connection's conversations are its own. */
const SESSIONS_PER_CONNECTION = 10;

/**
 * Trigger turns (→ waiting_input). Each connection rotates over its own sessions, so two in-flight requests never
 * lock the same conversation row. A trigger supersedes the conversation's previous waiting execution (one UPDATE of
 * the previous execution more per request): that is what a visitor who re-asks does.
 */
export async function triggerScenario(ctx: ScenarioContext): Promise<{ row: ScenarioRow; sessions: string[][] }> {
  const c = ctx.timing.connections;
  const tokens = await openSessions(ctx.server.url, ctx.publicKey, c * SESSIONS_PER_CONNECTION, c);
  const sessions = dealOut(tokens, c);
  const load = await measure(
    ctx,
    {
      requests: (client) => [triggerRequest(rotate(sessions[client]!))],
      verifyBody: isStatus('waiting_input'),
    },
    { duration: ctx.timing.duration },
  );
  return {
    row: {
      key: 'trigger',
      name: 'trigger turn (→ waiting_input)',
      built: true,
      load,
      note: `${SESSIONS_PER_CONNECTION} own sessions per connection`,
    },
    sessions,
  };
}

/**
 * The whole DESIGN §17 turn on one connection: trigger (→ waiting_input), then resume that execution (→ completed),
 * in the connection's next session. req/s counts both requests; the note gives the latency of the pair.
 */
export async function turnPairScenario(
  ctx: ScenarioContext,
  sessions: string[][],
  bound: { duration: number } | { amount: number; warmupAmount: number } = { duration: ctx.timing.duration },
): Promise<ScenarioRow> {
  const load = await measure(
    ctx,
    {
      requests: (client) => {
        let last: WaitingExecution | undefined;
        return [
          triggerRequest(rotate(sessions[client]!), (turn) => {
            last = turn;
          }),
          resumeRequest(() => {
            const w = last;
            last = undefined;
            return w;
          }),
        ];
      },
      groupSize: 2,
      verifyBody: (body) => body.includes('"status":"waiting_input"') || body.includes('"status":"completed"'),
    },
    bound,
  );
  const pair = load.groupLatency!;
  return {
    key: 'turn',
    name: 'turn pair (trigger + resume)',
    built: true,
    load,
    note: `${Math.round(load.rps / 2)} turns/s; turn latency p50 ${pair.p50} / p99 ${pair.p99} ms`,
  };
}

/**
 * Waiting executions for the resume and poll scenarios, created through the API before any timed run. Resume consumes
 * one per request, so the pool is sized from the trigger rate just measured (resume does about the same work):
 * trigger req/s × (warm-up + duration) × 1.1, and the resume runs are bounded by `amount` rather than by time.
 */
export async function prepareWaitingPool(
  ctx: ScenarioContext,
  triggerRps: number,
): Promise<{ pool: WaitingExecution[]; warmupAmount: number; amount: number }> {
  const c = ctx.timing.connections;
  const rate = Math.max(triggerRps, 50);
  const roundUp = (n: number) => Math.max(c, Math.ceil(n / c) * c);
  const warmupAmount = ctx.timing.warmup > 0 ? roundUp(rate * ctx.timing.warmup * 1.1) : 0;
  const amount = roundUp(rate * ctx.timing.duration * 1.1);
  const started = Date.now();
  const pool = await createWaitingExecutions(ctx.server.url, ctx.publicKey, warmupAmount + amount, c);
  ctx.log(`  prepared ${pool.length} waiting executions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { pool, warmupAmount, amount };
}

/** GET /chat/executions/{id} of a waiting execution, no long poll; each connection polls its own executions. */
export async function pollScenario(ctx: ScenarioContext, pool: WaitingExecution[]): Promise<ScenarioRow> {
  const hands = dealOut(pool, ctx.timing.connections);
  const load = await measure(
    ctx,
    { requests: (client) => [pollRequest(rotate(hands[client]!))], verifyBody: isStatus('waiting_input') },
    { duration: ctx.timing.duration },
  );
  return { key: 'poll', name: 'poll a waiting execution', built: true, load };
}

/** Resume turns (→ completed), each with a fresh (executionId, waitToken) of its own connection's share of the pool. */
export async function resumeScenario(
  ctx: ScenarioContext,
  prepared: { pool: WaitingExecution[]; warmupAmount: number; amount: number },
): Promise<ScenarioRow> {
  const c = ctx.timing.connections;
  const { pool, warmupAmount, amount } = prepared;
  const resumeRun = (executions: WaitingExecution[], sampled: boolean) => {
    const hands = dealOut(executions, c);
    return runLoad({
      url: ctx.server.url,
      connections: c,
      amount: executions.length,
      requests: (client) => {
        const mine = hands[client]!;
        let i = 0;
        return [resumeRequest(() => mine[i++])];
      },
      verifyBody: isStatus('completed'),
      ...(sampled ? timedRun(ctx) : {}),
    });
  };
  // The warm-up takes the first executions, the timed run the rest: no execution is ever resumed twice.
  if (warmupAmount > 0) await resumeRun(pool.slice(0, warmupAmount), false);
  const load = await resumeRun(pool.slice(warmupAmount, warmupAmount + amount), true);
  return {
    key: 'resume',
    name: 'resume turn (→ completed)',
    built: true,
    load,
    note: `amount-bound: ${amount} pre-created waiting executions (trigger rate × duration × 1.1)`,
  };
}

/**
 * GET /forms/contact/schema with a warm ETag (DESIGN §8): every request carries the ETag the first read answered, so
 * every answer is a 304 with no body — the read an embed makes when it refreshes its schema. It never writes, so
 * this is what a cacheable public read costs against the ceiling's INSERT + SELECT.
 */
export async function formSchemaScenario(ctx: ScenarioContext): Promise<ScenarioRow> {
  const path = `/api/public/v1/forms/contact/schema?publicKey=${ctx.publicKey}`;
  const first = await fetch(`${ctx.server.url}${path}`);
  if (first.status !== 200) throw new Error(`form schema: ${first.status} ${await first.text()}`);
  const etag = first.headers.get('etag')!;
  const load = await measure(
    ctx,
    { requests: () => [{ method: 'GET', path, headers: { 'if-none-match': etag } }], expectStatus: 304 },
    { duration: ctx.timing.duration },
  );
  return { key: 'formSchema', name: 'form schema, warm ETag (304)', built: true, load };
}

/**
 * The turn pair again, on a server started with COMERIX_USAGE_METERING=off, in the same run: the row's note gives
 * the difference to the metered `turn` row, to set against the run-to-run spread (`--repeat`).
 */
export async function turnMeteringOffScenario(
  ctx: ScenarioContext,
  metered: ScenarioRow | undefined,
): Promise<ScenarioRow> {
  const trigger = await triggerScenario(ctx);
  const row = await turnPairScenario(ctx, trigger.sessions);
  const delta =
    metered?.load && row.load && metered.load.rps > 0
      ? `; metering on is ${(((metered.load.rps - row.load.rps) / row.load.rps) * 100).toFixed(1)} % in req/s against this row`
      : '';
  return { ...row, key: 'turnMeteringOff', name: 'turn pair, usage metering off', note: `${row.note}${delta}` };
}

/**
 * The turn pair on a server with rate limits on but set above the load (the run fails on any 429): the limiter's
 * cost per turn, beside the `turn` row of the same run (limits off, as every other scenario runs).
 */
export async function turnRateLimitedScenario(
  ctx: ScenarioContext,
  unlimited: ScenarioRow | undefined,
): Promise<ScenarioRow> {
  const trigger = await triggerScenario(ctx);
  const row = await turnPairScenario(ctx, trigger.sessions);
  const limited = (row.load?.statusCodes['429'] ?? 0) + (trigger.row.load?.statusCodes['429'] ?? 0);
  if (limited > 0) throw new Error(`rate limits were meant to be above the load, yet ${limited} requests got 429`);
  let delta = '';
  if (unlimited?.load && row.load && unlimited.load.rps > 0 && row.load.rps > 0) {
    const perTurnMs = 1000 / row.load.rps - 1000 / unlimited.load.rps;
    delta = `; limits on is ${(((row.load.rps - unlimited.load.rps) / unlimited.load.rps) * 100).toFixed(1)} % in req/s against the turn row (≈ ${perTurnMs.toFixed(3)} ms per request); no 429`;
  }
  return {
    ...row,
    key: 'turnRateLimited',
    name: 'turn pair, rate limits on (above the load)',
    note: `${row.note}${delta}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// BENCH HOOKS: scenarios whose endpoints do not exist yet. Each returns an unbuilt row today; when the endpoint
// lands, replace the body with a `measure(...)` like the scenarios above (and keep the key: the table and the
// verdicts already know it).
// ---------------------------------------------------------------------------------------------------------------

/**
 * Telemetry batches of 50 events (DESIGN §17: ≥ 20 k events/s ingested on PostgreSQL): each connection posts in its
 * own sessions, every event with a new clientEventId (all stored, none a duplicate); events/s = req/s × 50.
 */
export async function telemetryBatchScenario(ctx: ScenarioContext): Promise<ScenarioRow> {
  const c = ctx.timing.connections;
  const tokens = await openSessions(ctx.server.url, ctx.publicKey, c * 2, c);
  const sessions = dealOut(tokens, c);
  const runId = randomUUID().slice(0, 8);
  let sequence = 0;
  const load = await measure(
    ctx,
    {
      requests: (client) => [telemetryBatchRequest(rotate(sessions[client]!), runId, () => sequence++)],
      verifyBody: (body) => body.includes('"accepted":50'),
    },
    { duration: ctx.timing.duration },
  );
  return {
    key: 'telemetry',
    name: 'telemetry batch of 50',
    built: true,
    load,
    note: `${Math.round(load.rps * 50)} events/s`,
  };
}

/**
 * BENCH HOOK — job pickup (DESIGN §17: pickup p50 ≤ 20 ms on PostgreSQL; a long poller sees the transition ≤ 50 ms
 * after the job ends). To add: trigger a flow that enters waiting_time, record enqueue → handler start and job end →
 * long-poll response.
 */
export async function jobPickupScenario(_ctx: ScenarioContext): Promise<ScenarioRow> {
  return { key: 'jobPickup', name: 'job pickup', built: false };
}
