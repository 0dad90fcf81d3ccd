import OpenAI from 'openai';
import type { ResolvedConnection } from '../connections/connectionTypes.js';
import type { JsonObject, LlmMessage } from '../engine/types.js';
import { JobFailure } from '../executions/JobFailure.js';
import { guardedFetch } from '../outbound/guardedFetch.js';
import { OutboundError } from '../outbound/OutboundError.js';
import { excerpt, redact, secretVariants } from '../outbound/redact.js';
import { backoffDelay, parseRetryAfter, sleep as realSleep, resolveRetry } from '../outbound/retryPolicy.js';

/** The model's answer to one call, with the usage the provider reported. */
export interface Completion {
  text: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  latencyMs: number;
}

export interface ChatCompletionOptions {
  connection: ResolvedConnection;
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[] | LlmMessage[];
  jsonSchema?: JsonObject;
  maxTokens?: number;
  temperature?: number;
  /** The whole call, retries and streaming included (default 60 s). */
  timeoutMs?: number;
  allowPrivateNetworks: boolean;
  /** Text deltas as they arrive (only after the provider accepted the request: retries never resend deltas). */
  onDelta?: (text: string) => void;
  signal: AbortSignal;
  /** The longest answer accepted, in characters; a longer one stops the stream and fails the node. */
  maxChars: number;
  /** Attempts in all (default 3): 429 and 5xx are retried, honouring Retry-After. */
  maxAttempts?: number;
  /** Test hook: waits between attempts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
/** A Retry-After longer than this is not waited for in the worker: the job goes back to the queue instead. */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * One Chat Completions call (streaming, `stream_options.include_usage`) through the official `openai` client, its HTTP
 * through the guarded fetch (same origin as the connection, SSRF guard, deadline). 429 and 5xx are retried with
 * Retry-After honoured; any other 4xx, a blocked address or a timeout fails the node with `llm_error`. Messages for
 * the visitor name the connection and the status only; the provider's text goes to `detail` (redacted) for the log.
 */
export async function chatCompletion(options: ChatCompletionOptions): Promise<Completion> {
  const { connection, model } = options;
  const name = connection.name;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  const secrets = secretVariants(connectionSecrets(connection));
  const client = openAiClient(connection, options.allowPrivateNetworks, timeoutMs, secrets);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  const retry = resolveRetry({ maxAttempts: options.maxAttempts ?? 3 });
  const pause = options.sleep ?? realSleep;
  const started = performance.now();
  try {
    for (let attempt = 1; ; attempt++) {
      let streaming = false;
      try {
        const stream = await client.chat.completions.create(
          {
            model,
            messages: options.messages,
            stream: true,
            stream_options: { include_usage: true },
            ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
            ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
            ...(options.jsonSchema
              ? {
                  response_format: {
                    type: 'json_schema' as const,
                    json_schema: { name: 'output', schema: options.jsonSchema },
                  },
                }
              : {}),
          },
          { signal },
        );
        streaming = true;
        let text = '';
        let usage: Completion['usage'] | undefined;
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            if (text.length > options.maxChars) {
              stream.controller.abort();
              throw new JobFailure(
                'llm_error',
                `The model behind "${name}" answered with more than ${options.maxChars} characters.`,
              );
            }
            options.onDelta?.(delta);
          }
          if (chunk.usage) {
            usage = {
              prompt_tokens: chunk.usage.prompt_tokens ?? 0,
              completion_tokens: chunk.usage.completion_tokens ?? 0,
              total_tokens:
                chunk.usage.total_tokens ?? (chunk.usage.prompt_tokens ?? 0) + (chunk.usage.completion_tokens ?? 0),
            };
          }
        }
        return {
          text,
          usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
          latencyMs: performance.now() - started,
        };
      } catch (error) {
        if (deadline.signal.aborted) {
          throw new JobFailure('llm_error', `The model behind "${name}" did not answer within ${timeoutMs} ms.`);
        }
        if (options.signal.aborted) throw error;
        const status = error instanceof OpenAI.APIError ? error.status : undefined;
        const transient = !streaming && status !== undefined && (status === 429 || status >= 500);
        if (transient && attempt < retry.maxAttempts) {
          const headers = (error as InstanceType<typeof OpenAI.APIError>).headers;
          const wait = parseRetryAfter(headers?.get('retry-after') ?? undefined) ?? backoffDelay(attempt, retry);
          if (wait <= MAX_RETRY_AFTER_MS) {
            await pause(wait, signal);
            continue;
          }
        }
        throw failureOf(error, name, secrets, transient);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

function openAiClient(
  connection: ResolvedConnection,
  allowPrivateNetworks: boolean,
  timeoutMs: number,
  secrets: string[],
): OpenAI {
  const auth = connection.auth;
  let apiKey = 'unused';
  // `null` drops a header the SDK would set: no placeholder bearer token goes out without bearer auth.
  let defaultHeaders: Record<string, string | null> = { authorization: null };
  if (auth.type === 'bearer') {
    apiKey = auth.token;
    defaultHeaders = {};
  } else if (auth.type === 'header') defaultHeaders[auth.headerName.toLowerCase()] = auth.value;
  else if (auth.type !== 'none') {
    throw new JobFailure('llm_error', `The connection "${connection.name}" uses an auth type an LLM call cannot use.`);
  }
  return new OpenAI({
    apiKey,
    baseURL: connection.baseUrl.replace(/\/$/, ''),
    defaultHeaders,
    maxRetries: 0,
    // The call's own deadline (chatCompletion) fires first and names the timeout; these only back it up.
    timeout: timeoutMs + 1_000,
    fetch: guardedFetch({
      origin: new URL(connection.baseUrl).origin,
      allowPrivateNetworks,
      secrets,
      headersTimeoutMs: timeoutMs + 1_000,
    }),
  });
}

function connectionSecrets(connection: ResolvedConnection): string[] {
  const auth = connection.auth;
  if (auth.type === 'bearer') return [auth.token];
  if (auth.type === 'header') return [auth.value];
  return [];
}

function failureOf(error: unknown, name: string, secrets: string[], transient: boolean): JobFailure {
  if (error instanceof JobFailure) return error;
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const detail = excerpt(error.message, secrets, 500);
    return new JobFailure('llm_error', `The model behind "${name}" answered HTTP ${error.status}.`, transient, detail);
  }
  const cause = outboundCause(error);
  if (cause?.code === 'ssrf_blocked') {
    return new JobFailure(
      'llm_error',
      `The connection "${name}" points to an address that is not allowed.`,
      false,
      cause.message,
    );
  }
  if (cause) {
    return new JobFailure(
      'llm_error',
      `The call to "${name}" failed (${cause.code}).`,
      cause.retryable,
      redact(cause.message, secrets),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new JobFailure('llm_error', `The call to "${name}" failed.`, false, redact(message, secrets));
}

/** The OutboundError our fetch threw, which the SDK wraps in an APIConnectionError (its `cause`). */
function outboundCause(error: unknown): OutboundError | undefined {
  let current: unknown = error;
  for (let i = 0; i < 4 && current; i++) {
    if (current instanceof OutboundError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
