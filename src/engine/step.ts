// The pure engine core (§5): (flow, state, input) → (state', blocks, status, effects). No I/O; expression failures
// and runaway loops end the turn as `failed` instead of throwing.
import { EngineInputError } from './engineInputError.js';
import { ExpressionError } from './expressions.js';
import { flowIndex } from './flowIndex.js';
import type { FlowDefinition } from './flowSchema.js';
import { nodeRuntime, type TurnSinks } from './nodeRuntime.js';
import { type FlowNode, nodeModule } from './nodes/index.js';
import type { NodeOutcome, NodeRuntime, Port } from './nodes/types.js';
import type {
  EngineContext,
  EngineInput,
  ExecutionError,
  ExecutionState,
  JsonObject,
  StepResult,
  TraceEntry,
} from './types.js';

export async function step(
  flow: FlowDefinition,
  state: ExecutionState | null,
  input: EngineInput,
  ctx: EngineContext,
): Promise<StepResult> {
  const index = flowIndex(flow);
  const vars: JsonObject = state ? structuredClone(state.vars) : {};
  const sinks: TurnSinks = { blocks: [], effects: [], trace: [], current: null };
  const rt = nodeRuntime(vars, input, ctx, sinks);
  let steps = state?.steps ?? 0;

  const result = (
    status: StepResult['status'],
    position: string | null,
    extra: Partial<StepResult> = {},
  ): StepResult => ({
    state: { position, vars, steps },
    blocks: sinks.blocks,
    status,
    effects: sinks.effects,
    trace: sinks.trace,
    ...extra,
  });
  const fail = (error: ExecutionError): StepResult => {
    sinks.blocks.push({ type: 'error', code: error.code, message: error.message });
    return result('failed', null, { error });
  };

  let position = input.kind === 'resume' ? null : flow.start;
  let node: FlowNode | undefined;
  try {
    if (input.kind === 'resume') position = resume(state, input.values, index.nodes, rt, sinks, index.next);
    else if (state !== null) throw new EngineInputError('a trigger starts a new execution; pass state = null');

    let turnSteps = 0;
    while (position !== null) {
      node = index.nodes.get(position);
      if (!node) throw new EngineInputError(`the flow has no node "${position}"`);
      if (turnSteps >= ctx.maxSteps) {
        const message = `more than ${ctx.maxSteps} steps in one turn (a loop without a wait?)`;
        return fail({ code: 'step_limit_exceeded', message, nodeId: node.id });
      }
      turnSteps++;
      steps++;
      const entry: TraceEntry = { nodeId: node.id, type: node.type };
      sinks.trace.push(entry);
      sinks.current = entry;
      const outcome: NodeOutcome = await moduleOf(node).run(node, rt);
      if (outcome.kind === 'wait') {
        const submitLabel = outcome.submitLabel === undefined ? {} : { submitLabel: outcome.submitLabel };
        const wait = { type: 'input' as const, nodeId: node.id, fields: outcome.fields, ...submitLabel };
        return result('waiting_input', node.id, { wait });
      }
      if (outcome.kind === 'end') {
        return result(
          outcome.status,
          null,
          outcome.status === 'aborted' ? { reason: outcome.reason ?? 'aborted' } : {},
        );
      }
      if (outcome.port !== null) entry.port = outcome.port;
      // A port without an edge is the end of the path: the execution completes.
      position = index.next(node.id, outcome.port);
    }
    return result('completed', null);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    const nodeId = node?.id ?? state?.position ?? undefined;
    return fail({
      code: 'expression_error',
      message: nodeId ? `node "${nodeId}": ${err.message}` : err.message,
      ...(nodeId ? { nodeId } : {}),
    });
  }
}

/** Applies resume values at the waiting node and returns the node to run next. */
function resume(
  state: ExecutionState | null,
  values: JsonObject,
  nodes: Map<string, FlowNode>,
  rt: NodeRuntime,
  sinks: TurnSinks,
  next: (from: string, port: Port) => string | null,
): string | null {
  if (!state || state.position === null)
    throw new EngineInputError('the execution is not waiting, so it cannot resume');
  const node = nodes.get(state.position);
  const module = node && moduleOf(node);
  if (!node || !module?.resume) throw new EngineInputError(`node "${state.position}" does not wait for input`);
  const port = module.resume(node, values, rt);
  sinks.trace.push({ nodeId: node.id, type: node.type, ...(port === null ? {} : { port }) });
  return next(node.id, port);
}

function moduleOf(node: FlowNode) {
  const module = nodeModule(node.type);
  if (!module) throw new EngineInputError(`unknown node type "${node.type}"`);
  return module;
}
