// The NodeRuntime a node runs against: expression scope over live vars, and sinks for blocks, effects and warnings.
import type { BlockBody } from './blocks.js';
import { type EvalScope, type ExpressionData, evaluateExpression } from './expressions.js';
import type { NodeRuntime } from './nodes/types.js';
import { renderTemplate } from './templates.js';
import type { Effect, EngineContext, EngineInput, JsonObject, TraceEntry } from './types.js';

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
    evaluate: (source) => evaluateExpression(source, scope),
    render: (template, mode) => renderTemplate(template, scope, mode),
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
