import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type NodeChange,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type FlowDetail, type FlowDiff, problemOf } from '../api/client.js';
import { FlowNode } from '../editor/FlowNode.js';
import { type CanvasNode, canvasOf, DEFAULT_PORT, definitionOf, edgeOf, type Problem } from '../editor/flowGraph.js';
import { NodePanel } from '../editor/NodePanel.js';
import { type FlowDefinition, type FlowNodeDef, NODE_SPECS, NODE_TYPES, type NodeType } from '../editor/nodeSpecs.js';
import { TestChat } from '../editor/TestChat.js';
import { VersionsPanel } from '../editor/VersionsPanel.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useLoad } from '../ui/useLoad.js';

const nodeTypes = { flow: FlowNode };

export default function FlowEditorScreen({ flowId }: { flowId: string }) {
  const [flow, reload] = useLoad(
    () => api.GET('/api/admin/v1/flows/{id}', { params: { path: { id: flowId } } }),
    [flowId],
  );
  if (flow.state === 'loading') return <Loading what="the flow" />;
  if (flow.state === 'error') return <ErrorState problem={flow.problem} retry={reload} />;
  return <Editor flow={flow.data} onReload={reload} />;
}

type Side = 'node' | 'test' | 'versions';

function Editor({ flow, onReload }: { flow: FlowDetail; onReload(): void }) {
  const { canEdit } = useSession();
  const base = flow.draft as unknown as FlowDefinition;
  const initial = useMemo(() => canvasOf(base), [base]);
  const [nodes, setNodes] = useState<CanvasNode[]>(initial.nodes);
  const [edges, setEdges] = useState<Edge[]>(initial.edges);
  const [start, setStart] = useState(base.start);
  const [problems, setProblems] = useState<Problem[] | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [dirty, setDirty] = useState(false);
  const [side, setSide] = useState<Side>('node');
  const [diff, setDiff] = useState<FlowDiff | undefined>();
  const [newType, setNewType] = useState<NodeType>('message');
  const [newId, setNewId] = useState('');

  const selected = nodes.find((n) => n.selected);
  const definition = useCallback(() => definitionOf(base, nodes, edges, start), [base, nodes, edges, start]);

  // Problems and the diff are drawn on the nodes; the start badge follows the start node.
  useEffect(() => {
    setNodes((current) =>
      current.map((n) => {
        const mine = (problems ?? []).filter((p) => p.nodeId === n.id);
        const changed = diff?.nodes.added.includes(n.id)
          ? ('added' as const)
          : diff?.nodes.changed.includes(n.id)
            ? ('changed' as const)
            : undefined;
        const data = { ...n.data, problems: mine, isStart: n.id === start, changed };
        return { ...n, data };
      }),
    );
  }, [problems, diff, start]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const editing = changes.filter((c) => c.type !== 'select' && c.type !== 'dimensions');
      if (!canEdit && editing.some((c) => c.type === 'remove' || c.type === 'position')) return;
      setNodes((current) => applyNodeChanges(changes, current));
      const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
      if (removed.size > 0)
        setEdges((current) => current.filter((e) => !removed.has(e.source) && !removed.has(e.target)));
      if (editing.length > 0) setDirty(true);
    },
    [canEdit],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      if (!canEdit && changes.some((c) => c.type === 'remove')) return;
      setEdges((current) => applyEdgeChanges(changes, current));
      if (changes.some((c) => c.type === 'remove')) setDirty(true);
    },
    [canEdit],
  );
  const onConnect = useCallback((connection: Connection) => {
    const port =
      connection.sourceHandle && connection.sourceHandle !== DEFAULT_PORT ? connection.sourceHandle : undefined;
    const edge = edgeOf({ from: connection.source, to: connection.target, ...(port ? { port } : {}) });
    setEdges((current) =>
      addEdge(
        edge,
        current.filter((e) => !(e.source === edge.source && e.sourceHandle === edge.sourceHandle)),
      ),
    );
    setDirty(true);
  }, []);

  function updateNode(def: FlowNodeDef) {
    setNodes((current) => current.map((n) => (n.id === def.id ? { ...n, data: { ...n.data, def } } : n)));
    setDirty(true);
  }

  function connectPort(from: string, port: string, to: string | undefined) {
    const handle = port || DEFAULT_PORT;
    setEdges((current) => {
      const rest = current.filter((e) => !(e.source === from && (e.sourceHandle ?? DEFAULT_PORT) === handle));
      return to ? [...rest, edgeOf({ from, to, ...(port ? { port } : {}) })] : rest;
    });
    setDirty(true);
  }

  function addNode() {
    const id = newId.trim() || `${newType}_${nodes.length + 1}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || nodes.some((n) => n.id === id)) {
      setStatus(`Pick a new node id (letters, digits, _ and -): ${id} is taken or not allowed.`);
      return;
    }
    const def: FlowNodeDef = { id, type: newType, ...structuredClone(NODE_SPECS[newType].initial) };
    const lowest = nodes.reduce((y, n) => Math.max(y, n.position.y), -120);
    setNodes((current) => [
      ...current.map((n) => ({ ...n, selected: false })),
      {
        id,
        type: 'flow',
        position: { x: 0, y: lowest + 140 },
        selected: true,
        data: { def, problems: [], isStart: nodes.length === 0 },
      },
    ]);
    if (nodes.length === 0) setStart(id);
    setNewId('');
    setSide('node');
    setDirty(true);
  }

  function relayout() {
    const laid = canvasOf({ ...definition(), layout: undefined } as FlowDefinition);
    const at = new Map(laid.nodes.map((n) => [n.id, n.position]));
    setNodes((current) => current.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })));
    setDirty(true);
  }

  async function validate(): Promise<boolean> {
    const { data, error, response } = await api.POST('/api/admin/v1/flows/{id}/validate', {
      params: { path: { id: flow.id } },
      body: { definition: definition() },
    });
    if (!data) {
      setStatus(problemOf(error, response).message);
      return false;
    }
    setProblems(data.problems);
    setStatus(data.valid ? 'The flow is valid.' : `${data.problems.length} problem(s): see the marked nodes.`);
    return data.valid;
  }

  async function save(): Promise<boolean> {
    if (!(await validate())) return false;
    const { data, error, response } = await api.PUT('/api/admin/v1/flows/{id}/draft', {
      params: { path: { id: flow.id } },
      body: definition(),
    });
    if (!data) {
      const problem = problemOf(error, response);
      const fields = (problem.details as { fields?: Problem[] } | undefined)?.fields;
      if (fields) setProblems(fields);
      setStatus(problem.message);
      return false;
    }
    setDirty(false);
    setStatus('Draft saved.');
    return true;
  }

  async function publish() {
    if (dirty && !(await save())) return;
    const { data, error, response } = await api.POST('/api/admin/v1/flows/{id}/publish', {
      params: { path: { id: flow.id } },
    });
    setStatus(data ? `Published version ${data.version}.` : problemOf(error, response).message);
  }

  const flowProblems = (problems ?? []).filter((p) => !p.nodeId);

  return (
    <div className="editor">
      <div className="editor-bar" role="toolbar" aria-label="Flow">
        <h1>{flow.intentName}</h1>
        {canEdit ? (
          <>
            <label>
              Type
              <select
                aria-label="New node type"
                value={newType}
                onChange={(e) => setNewType(e.target.value as NodeType)}
              >
                {NODE_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <label>
              Id
              <input
                aria-label="New node id"
                type="text"
                size={12}
                value={newId}
                onChange={(e) => setNewId(e.target.value)}
              />
            </label>
            <button type="button" onClick={addNode}>
              Add node
            </button>
            <label>
              Start
              <select
                aria-label="Start node"
                value={start}
                onChange={(e) => {
                  setStart(e.target.value);
                  setDirty(true);
                }}
              >
                {nodes.map((n) => (
                  <option key={n.id}>{n.id}</option>
                ))}
              </select>
            </label>
            <button type="button" onClick={relayout}>
              Auto-layout
            </button>
          </>
        ) : (
          <span className="badge">read only (viewer)</span>
        )}
        <button type="button" onClick={() => void validate()}>
          Validate
        </button>
        {canEdit ? (
          <>
            <button type="button" onClick={() => void save()} disabled={!dirty}>
              Save draft
            </button>
            <button type="button" onClick={() => void publish()}>
              Publish
            </button>
          </>
        ) : null}
        <span className="spacer" />
        <div role="tablist" aria-label="Side panel">
          {(['node', 'test', 'versions'] as const).map((s) => (
            <button key={s} type="button" role="tab" aria-selected={side === s} onClick={() => setSide(s)}>
              {s === 'node' ? 'Node' : s === 'test' ? 'Test chat' : 'Versions'}
            </button>
          ))}
        </div>
      </div>
      {status ? (
        <p className="editor-status" role="status">
          {status} {dirty ? <em>(unsaved changes)</em> : null}
        </p>
      ) : null}
      {flowProblems.length > 0 ? (
        <ul className="problems" role="alert">
          {flowProblems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="editor-body">
        <section className="canvas" aria-label="Flow canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={canEdit ? onConnect : undefined}
            nodesDraggable={canEdit}
            nodesConnectable={canEdit}
            elementsSelectable
            deleteKeyCode={canEdit ? ['Delete', 'Backspace'] : null}
            fitView
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
          </ReactFlow>
        </section>
        <div className="side">
          {side === 'node' ? (
            selected ? (
              <NodePanel
                node={selected}
                nodes={nodes}
                edges={edges}
                readOnly={!canEdit}
                onChange={updateNode}
                onConnect={(port, target) => connectPort(selected.id, port, target)}
                onMakeStart={() => {
                  setStart(selected.id);
                  setDirty(true);
                }}
                onDelete={() => onNodesChange([{ type: 'remove', id: selected.id }])}
              />
            ) : (
              <p className="muted">Select a node (click it, or Tab to it and press Enter) to edit it.</p>
            )
          ) : null}
          {side === 'test' ? (
            <TestChat
              flowId={flow.id}
              intentName={flow.intentName}
              onBeforeStart={async () => (dirty && canEdit ? save() : true)}
            />
          ) : null}
          {side === 'versions' ? (
            <VersionsPanel flowId={flow.id} canEdit={canEdit} onDiff={setDiff} onRolledBack={onReload} />
          ) : null}
        </div>
      </div>
    </div>
  );
}
