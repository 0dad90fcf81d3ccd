// Flow fixtures and helpers shared by the engine tests.
import { expect } from 'vitest';
import type { EngineContext, EngineInput, FlowCatalog, Json, JsonObject } from '../types.js';
import { type FlowDefinition, validateFlow } from '../validateFlow.js';

/** The §5.1 example, verbatim. */
export const orderStatusFlow = {
  intent: {
    name: 'order_status',
    description: 'Look up the status of an order',
    examples: ['Where is my order #...'],
    required_entities: [],
  },
  start: 'greet',
  nodes: [
    { id: 'greet', type: 'message', blocks: [{ type: 'text', text: 'Let me check that for you.' }] },
    {
      id: 'ask_number',
      type: 'ask',
      submitLabel: 'Check',
      fields: [{ name: 'order_number', type: 'text', label: 'Order number', required: true, pattern: '^[0-9]{3,10}$' }],
    },
    { id: 'known', type: 'condition', expression: "vars.order_number = '12345'" },
    {
      id: 'shipped',
      type: 'message',
      blocks: [{ type: 'markdown', text: 'Order **{{ vars.order_number }}** has shipped.' }],
    },
    {
      id: 'unknown',
      type: 'choice',
      text: "I can't find that order. Try again?",
      options: [
        { label: 'Yes', value: 'retry' },
        { label: 'No', value: 'stop' },
      ],
    },
    { id: 'done', type: 'end' },
    { id: 'give_up', type: 'end', status: 'aborted', reason: 'user_declined' },
  ],
  edges: [
    { from: 'greet', to: 'ask_number' },
    { from: 'ask_number', to: 'known' },
    { from: 'known', port: 'true', to: 'shipped' },
    { from: 'known', port: 'false', to: 'unknown' },
    { from: 'shipped', to: 'done' },
    { from: 'unknown', port: 'retry', to: 'ask_number' },
    { from: 'unknown', port: 'stop', to: 'give_up' },
  ],
};

/** Returns flow: pick a reason, fill in order number and comment, get a confirmation. */
export const returnsFlow = {
  intent: {
    name: 'returns',
    description: 'Return an item',
    examples: ['I want to return my shoes'],
    required_entities: [],
  },
  start: 'reason',
  nodes: [
    {
      id: 'reason',
      type: 'choice',
      text: 'Why are you returning it?',
      display: 'quick_replies',
      options: [
        { label: 'Too small', value: 'too_small' },
        { label: 'Damaged', value: 'damaged' },
      ],
    },
    {
      id: 'details',
      type: 'ask',
      text: 'Tell us about the order.',
      submitLabel: 'Send',
      fields: [
        { name: 'order_number', type: 'text', label: 'Order number', required: true, pattern: '^[0-9]{3,10}$' },
        { name: 'comment', type: 'textarea', label: 'Comment', maxLength: 500 },
      ],
    },
    {
      id: 'confirm',
      type: 'message',
      blocks: [
        {
          type: 'markdown',
          text: 'Return of order **{{ vars.order_number }}** ({{ vars.reason }}) registered. {{ vars.comment ? "Note: " & vars.comment : "" }}',
        },
      ],
    },
  ],
  edges: [
    { from: 'reason', port: 'too_small', to: 'details' },
    { from: 'reason', port: 'damaged', to: 'details' },
    { from: 'details', to: 'confirm' },
  ],
};

/** Validates a fixture and fails the test with the problem list when it is invalid. */
export function loadFlow(def: unknown): FlowDefinition {
  const result = validateFlow(def);
  if (!result.ok) expect.fail(JSON.stringify(result.problems, null, 2));
  return result.flow;
}

/** A minimal valid flow around the given nodes and edges. */
export function flowOf(nodes: unknown[], edges: unknown[] = [], start?: string): FlowDefinition {
  const first = nodes[0] as { id: string };
  return loadFlow({ intent: { name: 'test', description: 'test' }, start: start ?? first.id, nodes, edges });
}

/** The fixed clock of engine tests. */
export const NOW = new Date('2030-01-15T12:00:00.000Z');

export function engineContext(overrides: Partial<EngineContext> = {}, variables: JsonObject = {}): EngineContext {
  return {
    conversation: { id: 'conv-1', customer_id: 'cust-1', variables },
    session: { locale: 'en' },
    maxSteps: 1_000,
    expressionTimeoutMs: 250,
    now: NOW,
    ...overrides,
  };
}

export const trigger: EngineInput = { kind: 'trigger' };
export const resumeWith = (values: JsonObject): EngineInput => ({ kind: 'resume', values });
export const jobResult = (nodeId: string, result: Json): EngineInput => ({ kind: 'job_result', nodeId, result });

/** A flow with the given intent name around the given nodes and edges. */
export function intentFlow(intent: string, nodes: unknown[], edges: unknown[] = []): FlowDefinition {
  const first = nodes[0] as { id: string };
  return loadFlow({ intent: { name: intent, description: intent }, start: first.id, nodes, edges });
}

/**
 * An in-memory FlowCatalog: `published` maps intents to version ids, `versions` holds every version. Mutating
 * `published` afterwards simulates a republish.
 */
export function catalogOf(versions: Record<string, FlowDefinition>, published: Record<string, string>): FlowCatalog {
  return {
    published(intent) {
      const versionId = Object.hasOwn(published, intent) ? published[intent] : undefined;
      const flow = versionId === undefined ? undefined : versions[versionId];
      return versionId === undefined || flow === undefined ? undefined : { versionId, flow };
    },
    version: (versionId) => (Object.hasOwn(versions, versionId) ? versions[versionId] : undefined),
  };
}
