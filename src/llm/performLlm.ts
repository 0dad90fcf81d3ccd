import { z } from 'zod';
import type { AppContext } from '../app/AppContext.js';
import type { ResolvedConnection } from '../connections/connectionTypes.js';
import { resolveConnection } from '../connections/resolveConnection.js';
import type { LlmAnswer } from '../engine/nodes/llm.js';
import type { Json, JsonObject, LlmJobRequest } from '../engine/types.js';
import { blockId } from '../executions/blockId.js';
import { JobFailure } from '../executions/JobFailure.js';
import type { ContinuePayload } from '../executions/persistStep.js';
import { sleep } from '../outbound/retryPolicy.js';
import { chatCompletion, DEFAULT_LLM_TIMEOUT_MS } from './chatCompletion.js';
import { dailyLlmSpend } from './dailyLlmSpend.js';
import { costMicros } from './defaultPrices.js';
import { claimCall, findAnsweredCall, type LlmCallKey, recordCall, releaseCall } from './llmCallStore.js';
import { priceFor } from './priceStore.js';
import { readHistory } from './readHistory.js';
import { TokenBatcher } from './tokenBatcher.js';
import { addUsage, type TokenUsage } from './tokenUsage.js';

/** Where the job's execution stands, read by the worker before the call. */
export interface LlmJobContext {
  flowId: string;
  conversationId: string;
  /** The execution's last block sequence number: the answer's block will be the next. */
  lastSeq: number;
}

export type LlmPerformer = (
  ctx: AppContext,
  payload: ContinuePayload & { request: LlmJobRequest },
  job: LlmJobContext,
  signal: AbortSignal,
) => Promise<{ answer: LlmAnswer; usage: TokenUsage | null }>;

export interface LlmPerformerOptions {
  /** Waits between retried attempts (tests pass a recorder). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (message: string) => void;
}

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

const MAX_BLOCK_CHARS = 20_000;
/** A claim outlives its call's timeout by this much before another delivery may take it over. */
const CLAIM_MARGIN_MS = 15_000;
/** How often a delivery waiting on another's call looks for its answer. */
const CLAIM_POLL_MS = 200;
const MAX_SAVED_CHARS = 100_000;

/**
 * An `llm` node's job (DESIGN §6): the call (and, with a jsonSchema, at most one repair call) through the tenant's
 * `openai` connection. Each call is keyed by (execution, node, wait, attempt) and stored with its usage and cost as it
 * lands, the Token spend rollup with it; a job that runs again (duplicate delivery, a crash before the turn's write)
 * reuses the stored answer instead of calling — and billing — twice. Text deltas stream to the execution's open
 * streams through the change bus (batched ≤ 50 ms) when the answer becomes a block.
 */
export function llmPerformer(options: LlmPerformerOptions = {}): LlmPerformer {
  return async (ctx, payload, job, signal) => {
    const { request } = payload;
    const name = request.connection;
    const connection = await resolveConnection(ctx, payload.tenantId, name).catch((error: unknown) => {
      throw new JobFailure('llm_error', `The connection "${name}" cannot be used right now.`, false, String(error));
    });
    if (!connection) throw new JobFailure('llm_error', `There is no connection named "${name}".`);
    if (connection.type !== 'openai') {
      throw new JobFailure('llm_error', `The connection "${name}" is not an LLM (openai) connection.`);
    }
    const model = request.model ?? connection.defaultModel;
    if (!model) throw new JobFailure('llm_error', `No model is set on the node nor on the connection "${name}".`);

    const history = request.history
      ? await readHistory(ctx.kysely, {
          tenantId: payload.tenantId,
          conversationId: job.conversationId,
          executionId: payload.executionId,
          turns: request.history,
        })
      : [];
    const [system, ...rest] = request.messages;
    const messages: Message[] = [...(system ? [system] : []), ...history, ...rest];
    if (request.jsonSchema) {
      messages[0] = {
        role: 'system',
        content: `${messages[0]?.content ?? ''}\n\nAnswer with one JSON value only, matching this JSON Schema:\n${JSON.stringify(request.jsonSchema)}`,
      };
    }

    let usage: TokenUsage | null = null;
    const call = async (attempt: number, prompt: Message[], stream: boolean): Promise<string> => {
      const key: LlmCallKey = {
        executionId: payload.executionId,
        nodeId: payload.nodeId,
        waitId: payload.waitId,
        attempt,
      };
      // A delivery of this job already making this very call: wait for its answer rather than call (and pay) again.
      const lease = (request.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS) + CLAIM_MARGIN_MS;
      for (;;) {
        const stored = await findAnsweredCall(ctx.kysely, payload.tenantId, key);
        if (stored) {
          usage = addUsage(usage, usageOf(stored.model, stored));
          return stored.answer ?? '';
        }
        const now = new Date();
        // Checked before a new (paid) call only: an answer already paid for is still read back above.
        const budget = ctx.config.llmDailyBudgetMicros;
        if (budget !== undefined && (await dailyLlmSpend(ctx.kysely, payload.tenantId, now)) >= budget) {
          throw new JobFailure('llm_budget_exceeded', "The tenant's daily LLM budget is spent.");
        }
        if (await claimCall(ctx.kysely, key, now, new Date(now.getTime() + lease))) break;
        await sleep(CLAIM_POLL_MS, signal);
      }
      try {
        const made = await callAndRecord(
          ctx,
          { connection, model, prompt, request, key, payload, job, stream, signal },
          options,
        );
        usage = addUsage(usage, made.usage);
        return made.text;
      } finally {
        await releaseCall(ctx.kysely, key).catch(() => {});
      }
    };

    const stream = request.emit && !request.jsonSchema;
    try {
      const text = await call(0, messages, stream);
      if (!request.jsonSchema) {
        // A block needs text; an empty answer would be an empty bubble.
        if (request.emit && text.trim() === '') {
          throw new JobFailure('llm_error', `The model behind "${name}" answered with no text.`);
        }
        return { answer: { text }, usage };
      }
      const checked = checkAnswer(text, request.jsonSchema);
      if (checked.ok) return { answer: { text, value: checked.value }, usage };
      const repair: Message[] = [
        ...messages,
        { role: 'assistant', content: text },
        {
          role: 'user',
          content: `Your answer does not match the JSON Schema: ${checked.problem}. Answer again with the corrected JSON value only.`,
        },
      ];
      const second = await call(1, repair, false);
      const rechecked = checkAnswer(second, request.jsonSchema);
      if (rechecked.ok) return { answer: { text: second, value: rechecked.value }, usage };
      const failure = new JobFailure(
        'llm_invalid_output',
        'The model did not answer in the expected format, even after one repair attempt.',
        false,
        rechecked.problem,
      );
      if (usage) failure.usage = usage;
      throw failure;
    } catch (error) {
      if (error instanceof JobFailure && usage && !error.usage) error.usage = usage;
      throw error;
    }
  };
}

async function callAndRecord(
  ctx: AppContext,
  a: {
    connection: ResolvedConnection;
    model: string;
    prompt: Message[];
    request: LlmJobRequest;
    key: LlmCallKey;
    payload: ContinuePayload;
    job: LlmJobContext;
    stream: boolean;
    signal: AbortSignal;
  },
  options: LlmPerformerOptions,
): Promise<{ text: string; usage: TokenUsage }> {
  const block = blockId(a.payload.executionId, a.job.lastSeq + 1);
  const batcher = a.stream
    ? new TokenBatcher((text) => ctx.events.tokens(a.payload.executionId, block, text))
    : undefined;
  const started = performance.now();
  const record = async (
    outcome: 'ok' | 'error',
    fields: Partial<{ text: string; usage: TokenUsage; code: string }>,
  ) => {
    const inserted = await recordCall(ctx.kysely, {
      ...a.key,
      tenantId: a.payload.tenantId,
      flowId: a.job.flowId,
      model: a.model,
      promptTokens: fields.usage?.prompt_tokens ?? 0,
      completionTokens: fields.usage?.completion_tokens ?? 0,
      totalTokens: fields.usage?.total_tokens ?? 0,
      costMicros: fields.usage?.cost_micros ?? 0,
      latencyMs: performance.now() - started,
      outcome,
      ...(fields.code ? { errorCode: fields.code } : {}),
      ...(fields.text !== undefined ? { answer: fields.text } : {}),
      at: new Date(),
    });
    // Only the call that stored its record counts (a duplicate delivery reuses it and was not billed again).
    if (inserted && fields.usage) {
      ctx.metrics.llmUsage({
        model: a.model,
        promptTokens: fields.usage.prompt_tokens,
        completionTokens: fields.usage.completion_tokens,
        costMicros: fields.usage.cost_micros,
      });
    }
    return inserted;
  };
  try {
    const completion = await chatCompletion({
      connection: a.connection,
      model: a.model,
      messages: a.prompt,
      ...(a.request.jsonSchema ? { jsonSchema: a.request.jsonSchema } : {}),
      ...(a.request.maxTokens !== undefined ? { maxTokens: a.request.maxTokens } : {}),
      ...(a.request.temperature !== undefined ? { temperature: a.request.temperature } : {}),
      ...(a.request.timeoutMs !== undefined ? { timeoutMs: a.request.timeoutMs } : {}),
      allowPrivateNetworks: ctx.config.allowPrivateNetworks,
      // A block holds at most 20,000 characters; a saved-only answer is bounded too.
      maxChars: a.request.emit ? MAX_BLOCK_CHARS : MAX_SAVED_CHARS,
      ...(batcher ? { onDelta: (delta: string) => batcher.push(delta) } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      signal: a.signal,
    });
    batcher?.flush();
    const price = await priceFor(ctx.kysely, a.payload.tenantId, a.model);
    if (!price) {
      options.log?.(`llm: no price for model "${a.model}" (tenant ${a.payload.tenantId}): its calls cost 0`);
    }
    const cost = price ? costMicros(price, completion.usage) : 0;
    const usage: TokenUsage = { ...completion.usage, model: a.model, cost_micros: cost, cost_usd: cost / 1e6 };
    await record('ok', { text: completion.text, usage });
    return { text: completion.text, usage };
  } catch (error) {
    batcher?.flush();
    if (error instanceof JobFailure && !error.retryable) {
      await record('error', { code: error.code }).catch(() => {});
    }
    throw error;
  }
}

function usageOf(
  model: string,
  row: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost_micros: number },
): TokenUsage {
  const cost = Number(row.cost_micros);
  return {
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    total_tokens: Number(row.total_tokens),
    model,
    cost_micros: cost,
    cost_usd: cost / 1e6,
  };
}

/** Parses the answer as JSON (a ```json fence around it is tolerated) and validates it against the node's schema. */
function checkAnswer(text: string, schema: JsonObject): { ok: true; value: Json } | { ok: false; problem: string } {
  const trimmed = text
    .trim()
    .replace(/^```(?:json)?\s*\n?/i, '')
    .replace(/\n?```$/, '')
    .trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { ok: false, problem: 'the answer is not valid JSON' };
  }
  const result = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema).safeParse(parsed);
  if (result.success) return { ok: true, value: parsed as Json };
  const problem = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem };
}
