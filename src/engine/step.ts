// The pure engine core (§5): (flow, state, input) → (state', blocks, status, effects). No I/O; expression failures
// and runaway loops end the turn as `failed` instead of throwing.
//
// Async nodes (`http`, `task`, `delay`) end the turn as `waiting_time` with one `job` effect; the queue worker
// performs the job and calls `step` again with `job_result` or `job_failed`. A `subflow` node pushes a frame that
// pins the subflow's version, runs it inline on the same `vars`, and pops it when the subflow completes.
import { EngineInputError } from './engineInputError.js';
import { ExpressionError } from './expressions.js';
import { type FlowIndex, flowIndex } from './flowIndex.js';
import type { FlowDefinition } from './flowSchema.js';
import { nodeRuntime, type TurnSinks } from './nodeRuntime.js';
import { type FlowNode, nodeModule } from './nodes/index.js';
import type { NodeOutcome, NodeRuntime, Port } from './nodes/types.js';
import type {
  EngineContext,
  EngineInput,
  ExecutionError,
  ExecutionFrame,
  ExecutionState,
  JsonObject,
  StepResult,
  TraceEntry,
} from './types.js';

/** Most subflows running inside each other; entering one more fails with `step_limit_exceeded`. */
export const MAX_SUBFLOW_DEPTH = 8;

/** The flow a node runs in: the execution's own (`intent` undefined) or a subflow's pinned version. */
interface Level {
  index: FlowIndex;
  /** The subflow's intent name, for the trace; undefined at the root. */
  intent?: string;
}

/**
 * Runs one turn. `flow` is always the execution's own (root) flow version; while subflows run, the current flow is
 * found from `state.frames` through `ctx.flows`.
 */
export async function step(
  flow: FlowDefinition,
  state: ExecutionState | null,
  input: EngineInput,
  ctx: EngineContext,
): Promise<StepResult> {
  const vars: JsonObject = state ? structuredClone(state.vars) : {};
  const frames: ExecutionFrame[] = state?.frames ? state.frames.map((frame) => ({ ...frame })) : [];
  const sinks: TurnSinks = { blocks: [], effects: [], trace: [], current: null };
  const rt = nodeRuntime(vars, input, ctx, sinks, ctx.now ?? new Date());
  let steps = state?.steps ?? 0;
  let level = levelOf(flow, frames, ctx);

  const result = (
    status: StepResult['status'],
    position: string | null,
    extra: Partial<StepResult> = {},
  ): StepResult => ({
    // Frames only matter while the execution waits; an ended execution keeps none.
    state: { position, vars, steps, ...(position !== null && frames.length > 0 ? { frames } : {}) },
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
  const failAt = (node: FlowNode, code: ExecutionError['code'], message: string) =>
    fail({ code, message: `node "${node.id}": ${message}`, nodeId: node.id });

  let position: string | null = flow.start;
  let node: FlowNode | undefined;
  try {
    if (input.kind === 'trigger') {
      if (state !== null) throw new EngineInputError('a trigger starts a new execution; pass state = null');
    } else {
      const waiting = waitingNode(state, level);
      if (input.kind === 'resume') {
        position = resume(waiting, input.values, rt, sinks, level);
      } else {
        if (input.nodeId !== waiting.id) {
          throw new EngineInputError(
            `a job outcome for node "${input.nodeId}", but the execution is at "${waiting.id}"`,
          );
        }
        const module = moduleOf(waiting);
        if (!module.jobResult) throw new EngineInputError(`node "${waiting.id}" does not run a job`);
        if (input.kind === 'job_failed') {
          return fail({ code: input.error.code, message: input.error.message, nodeId: waiting.id });
        }
        const port = module.jobResult(waiting, input.result, rt);
        sinks.trace.push(traceEntry(waiting, level, port));
        position = level.index.next(waiting.id, port);
      }
    }

    let turnSteps = 0;
    for (;;) {
      if (position === null) {
        // The end of a path: the subflow (if any) completes and its caller continues, else the execution completes.
        const frame = frames.pop();
        if (!frame) return result('completed', null);
        level = levelOf(flow, frames, ctx);
        position = frame.returnTo;
        continue;
      }
      node = level.index.nodes.get(position);
      if (!node) throw new EngineInputError(`the flow has no node "${position}"`);
      if (turnSteps >= ctx.maxSteps) {
        const message = `more than ${ctx.maxSteps} steps in one turn (a loop without a wait?)`;
        return fail({ code: 'step_limit_exceeded', message, nodeId: node.id });
      }
      turnSteps++;
      steps++;
      const entry = traceEntry(node, level, null);
      sinks.trace.push(entry);
      sinks.current = entry;
      const outcome: NodeOutcome = await moduleOf(node).run(node, rt);
      switch (outcome.kind) {
        case 'wait': {
          const submitLabel = outcome.submitLabel === undefined ? {} : { submitLabel: outcome.submitLabel };
          const wait = { type: 'input' as const, nodeId: node.id, fields: outcome.fields, ...submitLabel };
          return result('waiting_input', node.id, { wait });
        }
        case 'job': {
          const runAt = outcome.runAt === undefined ? {} : { runAt: outcome.runAt };
          rt.effect({ type: 'job', nodeId: node.id, job: outcome.job, ...runAt });
          const resumeAt = outcome.runAt === undefined ? {} : { resumeAt: outcome.runAt };
          return result('waiting_time', node.id, { wait: { type: 'time', nodeId: node.id, ...resumeAt } });
        }
        case 'fail':
          return failAt(node, outcome.code, outcome.message);
        case 'end':
          if (outcome.status === 'aborted') return result('aborted', null, { reason: outcome.reason ?? 'aborted' });
          if (outcome.final) return result('completed', null);
          position = null; // completes the current flow: the subflow returns, or the execution completes
          continue;
        case 'subflow': {
          const published = ctx.flows?.published(outcome.intent);
          if (!published) {
            return failAt(node, 'subflow_not_found', `no published flow for intent "${outcome.intent}"`);
          }
          if (frames.length >= MAX_SUBFLOW_DEPTH) {
            const message = `subflows nested deeper than ${MAX_SUBFLOW_DEPTH} levels (a subflow calling itself?)`;
            return failAt(node, 'step_limit_exceeded', message);
          }
          frames.push({ versionId: published.versionId, returnTo: level.index.next(node.id, null) });
          level = { index: flowIndex(published.flow), intent: published.flow.intent.name };
          position = published.flow.start;
          continue;
        }
        case 'next':
          if (outcome.port !== null) entry.port = outcome.port;
          // A port without an edge is the end of the path.
          position = level.index.next(node.id, outcome.port);
      }
    }
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

/** The flow of the innermost frame (its pinned version), or the root flow when no subflow runs. */
function levelOf(root: FlowDefinition, frames: readonly ExecutionFrame[], ctx: EngineContext): Level {
  const frame = frames.at(-1);
  if (!frame) return { index: flowIndex(root) };
  const flow = ctx.flows?.version(frame.versionId);
  if (!flow) {
    throw new EngineInputError(`subflow version "${frame.versionId}" is in the state but not in EngineContext.flows`);
  }
  return { index: flowIndex(flow), intent: flow.intent.name };
}

/** The node the execution waits at; throws EngineInputError when it does not wait. */
function waitingNode(state: ExecutionState | null, level: Level): FlowNode {
  if (!state || state.position === null)
    throw new EngineInputError('the execution is not waiting, so it cannot resume');
  const node = level.index.nodes.get(state.position);
  if (!node) throw new EngineInputError(`the flow has no node "${state.position}"`);
  return node;
}

/** Applies resume values at the waiting node and returns the node to run next. */
function resume(node: FlowNode, values: JsonObject, rt: NodeRuntime, sinks: TurnSinks, level: Level): string | null {
  const module = moduleOf(node);
  if (!module.resume) throw new EngineInputError(`node "${node.id}" does not wait for input`);
  const port = module.resume(node, values, rt);
  sinks.trace.push(traceEntry(node, level, port));
  return level.index.next(node.id, port);
}

function traceEntry(node: FlowNode, level: Level, port: Port): TraceEntry {
  return {
    nodeId: node.id,
    type: node.type,
    ...(level.intent === undefined ? {} : { flow: level.intent }),
    ...(port === null ? {} : { port }),
  };
}

function moduleOf(node: FlowNode) {
  const module = nodeModule(node.type);
  if (!module) throw new EngineInputError(`unknown node type "${node.type}"`);
  return module;
}
