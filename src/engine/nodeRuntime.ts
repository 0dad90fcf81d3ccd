// The NodeRuntime a node runs against: expression scope over live vars, and sinks for blocks, effects and warnings.
import type { BlockBody } from './blocks.js';
import { type EvalScope, type ExpressionData, ExpressionError, evaluateExpression } from './expressions.js';
import type { NodeRuntime } from './nodes/types.js';
import { renderTemplate } from './templates.js';
import type { Effect, EngineContext, EngineInput, Json, JsonObject, TraceEntry } from './types.js';
import { unstorableString } from './unstorableString.js';

export interface TurnSinks {
  blocks: BlockBody[];
  effects: Effect[];
  trace: TraceEntry[];
  /** The node currently running, named on warnings. */
  current: { nodeId: string; type: string; flow?: string } | null;
}

export function nodeRuntime(
  vars: JsonObject,
  input: EngineInput,
  ctx: EngineContext,
  sinks: TurnSinks,
  now: Date,
): NodeRuntime {
  const data: ExpressionData = {
    vars,
    // Client-sent conversation variables stay under `conversation.variables`; they never enter `vars`.
    conversation: ctx.conversation,
    input: inputData(input),
    session: ctx.session,
  };
  const scope: EvalScope = { data, timeoutMs: ctx.expressionTimeoutMs };
  return {
    vars,
    scope,
    now,
    evaluate: async (source) => storable(await evaluateExpression(source, scope)),
    render: async (template, mode) => storable(await renderTemplate(template, scope, mode)),
    emit: (block) => {
      sinks.blocks.push(block);
    },
    effect: (effect) => {
      sinks.effects.push(effect);
    },
    warn: (warning) => {
      const flow = sinks.current?.flow === undefined ? {} : { flow: sinks.current.flow };
      sinks.trace.push({ nodeId: sinks.current?.nodeId ?? '', type: sinks.current?.type ?? '', ...flow, warning });
    },
  };
}

/** `input` in expressions: the turn's text or resume values; a job outcome brings neither. */
function inputData(input: EngineInput): ExpressionData['input'] {
  if (input.kind === 'resume') return { values: input.values };
  if (input.kind === 'trigger' && input.text !== undefined) return { text: input.text };
  return {};
}

/**
 * What nodes evaluate and render goes into vars, blocks and job requests, all stored as text or jsonb, which cannot
 * hold NUL or an unpaired surrogate; an expression can build both (`"\\u0000"`, `$base64decode("AA==")`). The node
 * fails here with `expression_error`, naming where the bad text sits, instead of the turn's write failing. (A url or
 * path template percent-encodes its values, so a lone surrogate there renders as %EF%BF%BD and passes.)
 */
function storable<T extends Json | undefined>(value: T): T {
  const path = unstorableString(value, 'the result');
  if (path) {
    throw new ExpressionError(
      `${path} holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`,
      'unstorable_text',
    );
  }
  return value;
}
