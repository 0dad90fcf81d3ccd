import autocannon, { type Request, type Result } from 'autocannon';
import { backendPids } from './backends.js';
import { type ProcStats, round1, startProcSampler, waitForQuiet } from './procSampler.js';

export type { Request } from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set (autocannon then stops after exactly that many requests). */
  duration?: number;
  amount?: number;
  /**
   * The request sequence of connection `client` (0-based, in creation order, the same order autocannon uses to
   * split `amount`). Each connection gets its own closures, so it can own its sessions and remember what its
   * previous response said (a trigger's executionId for the resume that follows it).
   */
  requests: (client: number) => Request[];
  /** A cheap check of every response body; failures count as `mismatches`. */
  verifyBody?: (body: string) => boolean;
  /** The one status every response must have when it is not a 2xx (a warm conditional GET: 304); others fail. */
  expectStatus?: number;
  /** Consecutive responses of one connection that form one unit (2 = a trigger + resume turn); default 1. */
  groupSize?: number;
  /** Sample this server process (CPU, RSS) during the run, and the backends of its PostgreSQL database if any. */
  server?: { pid: number; database?: string };
  /** Before starting, wait up to this long for other processes to leave the CPU alone (timed runs only). */
  quietWaitMs?: number;
  log?: (line: string) => void;
  /** Called as each response completes, with its latency (ms): for time series (bench/sustained.ts). */
  onResponse?: (ms: number) => void;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Completed responses per second over the whole run (total ÷ elapsed, so amount-bound runs compare fairly). */
  rps: number;
  /** Per-request latency in ms, from autocannon's own float timings (its histogram rounds to whole ms). */
  latency: Latency;
  /** Latency of each `groupSize` unit (sum of its requests' latencies), when groupSize > 1. */
  groupLatency?: Latency;
  errors: number;
  non2xx: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  proc?: ProcStats;
}

/** Only used to satisfy autocannon's constructor; every connection replaces it in setupClient. */
const PLACEHOLDER: Request[] = [{ method: 'GET', path: '/healthz' }];

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const groups: number[] = [];
  const groupSize = spec.groupSize ?? 1;
  let nextClient = 0;
  if (spec.quietWaitMs) await waitForQuiet(spec.quietWaitMs, spec.log ?? (() => {}));
  const dbPids = spec.server?.database ? await backendPids(spec.server.database) : undefined;
  const sampler = spec.server ? startProcSampler(spec.server.pid, dbPids ? { dbPids } : {}) : undefined;
  const started = process.hrtime.bigint();
  const result: Result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
    timeout: 30,
    requests: PLACEHOLDER,
    ...(spec.verifyBody ? { verifyBody: spec.verifyBody } : {}),
    setupClient(client) {
      client.setRequests(spec.requests(nextClient++));
      let inGroup = 0;
      let sum = 0;
      client.on('response', (_status: number, _bytes: number, ms: number) => {
        latencies.push(ms);
        spec.onResponse?.(ms);
        if (groupSize === 1) return;
        sum += ms;
        if (++inGroup === groupSize) {
          groups.push(sum);
          inGroup = 0;
          sum = 0;
        }
      });
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const proc = sampler?.stop();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  return {
    requests: latencies.length,
    seconds: round1(seconds),
    rps: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
    ...(groupSize > 1 ? { groupLatency: summarize(groups) } : {}),
    errors: result.errors,
    non2xx:
      spec.expectStatus === undefined
        ? result.non2xx
        : Object.entries(statusCodes)
            .filter(([code]) => Number(code) !== spec.expectStatus)
            .reduce((n, [, count]) => n + count, 0),
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes,
    ...(proc ? { proc } : {}),
  };
}

export function summarize(values: number[]): Latency {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    p50: round1(at(0.5)),
    p90: round1(at(0.9)),
    p99: round1(at(0.99)),
    max: round1(sorted[sorted.length - 1]!),
    mean: round1(mean),
  };
}

/** Failed responses of any kind: socket errors, timeouts, non-2xx statuses and bodies that failed verifyBody. */
export function failures(r: LoadResult): number {
  return r.errors + r.non2xx + r.mismatches;
}
