import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Connections of the database pool (PGlite: its one session, held or not, and the queries queued for it). */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

/** What the gauges read when scraped: the job queue and the database pool of this process. */
export interface MetricSources {
  jobsWaiting?: () => Promise<number>;
  poolUse?: () => PoolUse;
}

/** Outcome of one webhook delivery attempt (the label of `comerix_webhook_deliveries_total`). */
export type WebhookOutcome = 'delivered' | 'failed' | 'retrying' | 'dropped';

/** One LLM call's usage, as the provider reported it. */
export interface LlmUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** Cost in millionths of the tenant's currency unit, as the budget counts it. */
  costMicros: number;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * This process's Prometheus metrics on a registry of its own (never prom-client's global one: tests build many apps
 * in one process). Built once in createContext and reached through `ctx.metrics`; every label set is bounded (declared
 * routes, statuses, task names, models), never a raw URL or an id.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly sources: MetricSources = {};
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  readonly httpDuration = new Histogram({
    name: 'comerix_http_request_duration_seconds',
    help: 'HTTP requests by declared route (never the raw URL), method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly executions = new Counter({
    name: 'comerix_executions_total',
    help: 'Execution steps written, by the status they left the execution in (trigger, resume, async continuation, supersede, expiry)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly turnDuration = new Histogram({
    name: 'comerix_turn_duration_seconds',
    help: 'Chat turns (a trigger or a resume) from the service call to its committed answer',
    labelNames: ['kind'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly jobPickup = new Histogram({
    name: 'comerix_job_pickup_seconds',
    help: 'From the time a job was due (enqueued, or scheduled for) to the time a worker of this process started it',
    labelNames: ['task'] as const,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'comerix_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly llmTokens = new Counter({
    name: 'comerix_llm_tokens_total',
    help: 'LLM tokens used, by model and kind (prompt or completion)',
    labelNames: ['model', 'kind'] as const,
    registers: [this.registry],
  });
  readonly llmCostMicros = new Counter({
    name: 'comerix_llm_cost_micros_total',
    help: 'LLM cost in millionths of the currency unit, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor() {
    const sources = this.sources;
    new Gauge({
      name: 'comerix_jobs_waiting',
      help: 'Jobs due and not yet picked up by any worker (read from the queue when scraped)',
      registers: [this.registry],
      async collect() {
        if (sources.jobsWaiting) this.set(await sources.jobsWaiting());
      },
    });
    new Gauge({
      name: 'comerix_db_pool_connections',
      help: 'Database connections of this process by state: total, idle, and callers waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const use = sources.poolUse?.();
        if (!use) return;
        this.set({ state: 'total' }, use.total);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'waiting' }, use.waiting);
      },
    });
    const loop = this.loopDelay;
    loop.enable();
    new Gauge({
      name: 'comerix_event_loop_lag_seconds',
      help: 'Event-loop delay since the previous scrape: the longest, and the 99th percentile',
      labelNames: ['stat'] as const,
      registers: [this.registry],
      collect() {
        // The histogram is in nanoseconds; with no sample yet it reports zeros.
        this.set({ stat: 'max' }, loop.max / 1e9);
        this.set({ stat: 'p99' }, loop.percentile(99) / 1e9);
        loop.reset();
      },
    });
    new Gauge({
      name: 'comerix_process_resident_memory_bytes',
      help: 'Resident set size of this process',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
  }

  /** Connects the gauges read at scrape time; createContext calls it once the queue and database exist. */
  connect(sources: MetricSources): void {
    Object.assign(this.sources, sources);
  }

  /** A step was written: the status it left the execution in. */
  executionStatus(status: string): void {
    this.executions.inc({ status });
  }

  /** Starts timing a turn; call the returned function once the turn committed. */
  startTurn(kind: 'trigger' | 'resume'): () => void {
    return this.turnDuration.startTimer({ kind });
  }

  /** A worker started a job `seconds` after it was due. */
  jobPickedUp(task: string, seconds: number): void {
    this.jobPickup.observe({ task }, Math.max(0, seconds));
  }

  /** For the webhooks module: call once per delivery attempt with its outcome. */
  webhookDelivery(outcome: WebhookOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** For the LLM node: call once per provider call with the usage it reported. */
  llmUsage(usage: LlmUsage): void {
    this.llmTokens.inc({ model: usage.model, kind: 'prompt' }, usage.promptTokens);
    this.llmTokens.inc({ model: usage.model, kind: 'completion' }, usage.completionTokens);
    this.llmCostMicros.inc({ model: usage.model }, usage.costMicros);
  }

  /** The exposition text and its content type, for `/metrics` and the metrics port. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.loopDelay.disable();
  }
}
