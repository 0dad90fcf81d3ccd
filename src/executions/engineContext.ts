import type { EngineContext, FlowCatalog, JsonObject } from '../engine/types.js';

export const MAX_STEPS_PER_TURN = 1000;
export const EXPRESSION_TIMEOUT_MS = 250;

export function engineContext(args: {
  conversationId: string;
  customerId: string;
  variables: JsonObject;
  locale: string | null;
  now: Date;
  flows?: FlowCatalog;
}): EngineContext {
  return {
    conversation: { id: args.conversationId, customer_id: args.customerId, variables: args.variables },
    session: { locale: args.locale },
    maxSteps: MAX_STEPS_PER_TURN,
    expressionTimeoutMs: EXPRESSION_TIMEOUT_MS,
    now: args.now,
    ...(args.flows ? { flows: args.flows } : {}),
  };
}
