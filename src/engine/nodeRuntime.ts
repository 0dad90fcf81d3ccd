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
  current: { nodeId: string; type: string } | null;
}

export function nodeRuntime(vars: JsonObject, input: EngineInput, ctx: EngineContext, sinks: TurnSinks): NodeRuntime {
  const data: ExpressionData = {
    vars,
    // Client-sent conversation variables stay under `conversation.variables`; they never enter `vars`.
    conversation: ctx.conversation,
    input: input.kind === 'resume' ? { values: input.values } : input.text === undefined ? {} : { text: input.text },
    session: ctx.session,
  };
  const scope: EvalScope = { data, timeoutMs: ctx.expressionTimeoutMs };
  return {
    vars,
    scope,
    evaluate: (source) => evaluateExpression(source, scope),
    render: (template, mode) => renderTemplate(template, scope, mode),
    emit: (block) => {
      sinks.blocks.push(block);
    },
    effect: (effect) => {
      sinks.effects.push(effect);
    },
    warn: (warning) => {
      sinks.trace.push({ nodeId: sinks.current?.nodeId ?? '', type: sinks.current?.type ?? '', warning });
    },
  };
}
