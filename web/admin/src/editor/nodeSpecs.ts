/** A node of a flow file (DESIGN §5.1): its id, type and the type's own fields. */
export interface FlowNodeDef {
  id: string;
  type: NodeType;
  [field: string]: unknown;
}

export interface FlowEdgeDef {
  from: string;
  to: string;
  port?: string;
}

export interface FlowDefinition {
  intent: { name: string; description?: string; examples?: string[]; required_entities?: string[] };
  start: string;
  nodes: FlowNodeDef[];
  edges: FlowEdgeDef[];
  layout?: Record<string, { x: number; y: number }>;
  [field: string]: unknown;
}

export const NODE_TYPES = [
  'message',
  'ask',
  'choice',
  'condition',
  'set',
  'http',
  'llm',
  'task',
  'delay',
  'goal',
  'handoff',
  'subflow',
  'end',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export type FieldKind = 'text' | 'textarea' | 'template' | 'expression' | 'number' | 'json' | 'select' | 'boolean';

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  options?: string[];
  required?: boolean;
}

/** The side panel of each node type: its fields as DESIGN §5.1 names them, and what a new node starts with. */
export const NODE_SPECS: Record<NodeType, { fields: FieldSpec[]; initial: Record<string, unknown> }> = {
  message: {
    fields: [{ key: 'blocks', label: 'Blocks (JSON)', kind: 'json', required: true }],
    initial: { blocks: [{ type: 'text', text: 'Hello!' }] },
  },
  ask: {
    fields: [
      { key: 'submitLabel', label: 'Submit label', kind: 'text' },
      { key: 'fields', label: 'Fields (JSON)', kind: 'json', required: true },
    ],
    initial: { fields: [{ name: 'email', type: 'email', label: 'Email', required: true }] },
  },
  choice: {
    fields: [
      { key: 'text', label: 'Question (template)', kind: 'template' },
      { key: 'options', label: 'Options (JSON: label, value)', kind: 'json', required: true },
      { key: 'display', label: 'Display', kind: 'select', options: ['', 'buttons', 'quick_replies'] },
    ],
    initial: {
      text: 'Pick one',
      options: [
        { label: 'Yes', value: 'yes' },
        { label: 'No', value: 'no' },
      ],
    },
  },
  condition: {
    fields: [
      { key: 'expression', label: 'Expression (JSONata, ports true/false)', kind: 'expression' },
      { key: 'cases', label: 'Or cases (JSON: port, expression; plus port default)', kind: 'json' },
    ],
    initial: { expression: 'vars.answer = "yes"' },
  },
  set: {
    fields: [{ key: 'assign', label: 'Assign (JSON: name → JSONata)', kind: 'json', required: true }],
    initial: { assign: { greeting: '"hello"' } },
  },
  http: {
    fields: [
      { key: 'connection', label: 'Connection', kind: 'text', required: true },
      { key: 'method', label: 'Method', kind: 'select', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      { key: 'path', label: 'Path (template)', kind: 'template', required: true },
      { key: 'headers', label: 'Headers (JSON)', kind: 'json' },
      { key: 'body', label: 'Body (JSON)', kind: 'json' },
      { key: 'saveAs', label: 'Save as variable', kind: 'text', required: true },
      { key: 'timeoutMs', label: 'Timeout (ms)', kind: 'number' },
    ],
    initial: { connection: '', method: 'GET', path: '/', saveAs: 'result' },
  },
  llm: {
    fields: [
      { key: 'connection', label: 'Connection', kind: 'text', required: true },
      { key: 'model', label: 'Model', kind: 'text', required: true },
      { key: 'system', label: 'System prompt (template)', kind: 'template' },
      { key: 'prompt', label: 'Prompt (template)', kind: 'template', required: true },
      { key: 'saveAs', label: 'Save as variable', kind: 'text' },
      { key: 'emit', label: 'Show the answer as a block', kind: 'boolean' },
      { key: 'history', label: 'Turns of history', kind: 'number' },
      { key: 'jsonSchema', label: 'JSON output schema', kind: 'json' },
    ],
    initial: { connection: '', model: '', prompt: '{{ input.text }}', emit: true },
  },
  task: {
    fields: [
      { key: 'task', label: 'Handler name', kind: 'text', required: true },
      { key: 'input', label: 'Input (JSON)', kind: 'json' },
      { key: 'saveAs', label: 'Save as variable', kind: 'text' },
    ],
    initial: { task: '' },
  },
  delay: {
    fields: [
      { key: 'seconds', label: 'Seconds', kind: 'number' },
      { key: 'until', label: 'Or until (JSONata ISO time)', kind: 'expression' },
    ],
    initial: { seconds: 5 },
  },
  goal: { fields: [{ key: 'goal', label: 'Goal key', kind: 'text', required: true }], initial: { goal: '' } },
  handoff: {
    fields: [
      { key: 'queue', label: 'Queue', kind: 'text' },
      { key: 'message', label: 'Message (template)', kind: 'template' },
    ],
    initial: {},
  },
  subflow: { fields: [{ key: 'intent', label: 'Intent', kind: 'text', required: true }], initial: { intent: '' } },
  end: {
    fields: [
      { key: 'status', label: 'Status', kind: 'select', options: ['', 'completed', 'aborted'] },
      { key: 'reason', label: 'Reason', kind: 'text' },
    ],
    initial: {},
  },
};

/** The outgoing ports of a node: named ones for condition and choice, one unnamed for most, none at an end. */
export function portsOf(node: FlowNodeDef): string[] {
  if (node.type === 'end' || node.type === 'handoff') return [];
  if (node.type === 'condition') {
    const cases = Array.isArray(node.cases) ? (node.cases as { port?: unknown }[]) : undefined;
    if (cases) return [...cases.map((c) => String(c.port ?? '')), 'default'];
    return ['true', 'false'];
  }
  if (node.type === 'choice' && Array.isArray(node.options)) {
    return (node.options as { value?: unknown }[]).map((o) => String(o.value ?? ''));
  }
  return [''];
}
