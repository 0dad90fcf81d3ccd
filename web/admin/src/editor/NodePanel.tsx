import type { Edge } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { type CanvasNode, DEFAULT_PORT } from './flowGraph.js';
import { type FieldSpec, type FlowNodeDef, NODE_SPECS, portsOf } from './nodeSpecs.js';

interface Props {
  node: CanvasNode;
  nodes: CanvasNode[];
  edges: Edge[];
  readOnly: boolean;
  onChange(def: FlowNodeDef): void;
  onConnect(port: string, target: string | undefined): void;
  onMakeStart(): void;
  onDelete(): void;
}

/** The selected node's fields, its outgoing connections (a keyboard way to connect) and its problems. */
export function NodePanel({ node, nodes, edges, readOnly, onChange, onConnect, onMakeStart, onDelete }: Props) {
  const def = node.data.def;
  const spec = NODE_SPECS[def.type];
  const problemsOf = (key: string) => node.data.problems.filter((p) => p.path.split(/[.[]/).includes(key));
  return (
    <aside className="panel" aria-labelledby="node-panel-title">
      <h2 id="node-panel-title">
        {def.type} <code>{def.id}</code>
      </h2>
      {spec ? (
        spec.fields.map((field) => (
          <Field
            key={`${def.id}:${field.key}`}
            field={field}
            value={def[field.key]}
            readOnly={readOnly}
            problems={problemsOf(field.key).map((p) => p.message)}
            onChange={(value) => {
              const next: FlowNodeDef = { ...def };
              if (value === undefined) delete next[field.key];
              else next[field.key] = value;
              onChange(next);
            }}
          />
        ))
      ) : (
        <p>Unknown node type.</p>
      )}
      {portsOf(def).length > 0 ? (
        <fieldset>
          <legend>Next</legend>
          {portsOf(def).map((port) => {
            const handle = port || DEFAULT_PORT;
            const current = edges.find((e) => e.source === def.id && (e.sourceHandle ?? DEFAULT_PORT) === handle);
            return (
              <label key={handle}>
                {port ? `Port ${port}` : 'Then'}
                <select
                  aria-label={port ? `Port ${port}` : 'Then'}
                  disabled={readOnly}
                  value={current?.target ?? ''}
                  onChange={(e) => onConnect(port, e.target.value || undefined)}
                >
                  <option value="">(none)</option>
                  {nodes
                    .filter((n) => n.id !== def.id)
                    .map((n) => (
                      <option key={n.id} value={n.id}>
                        {n.id}
                      </option>
                    ))}
                </select>
              </label>
            );
          })}
        </fieldset>
      ) : null}
      {node.data.problems.length > 0 ? (
        <div className="problems" role="alert">
          <h3>Problems</h3>
          <ul>
            {node.data.problems.map((p) => (
              <li key={`${p.path}:${p.message}`}>
                <code>{p.path}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {readOnly ? null : (
        <div className="actions">
          <button type="button" onClick={onMakeStart} disabled={node.data.isStart}>
            Make start node
          </button>
          <button type="button" className="danger" onClick={onDelete}>
            Delete node
          </button>
        </div>
      )}
    </aside>
  );
}

function Field({
  field,
  value,
  readOnly,
  problems,
  onChange,
}: {
  field: FieldSpec;
  value: unknown;
  readOnly: boolean;
  problems: string[];
  onChange(value: unknown): void;
}) {
  const id = `field-${field.key}`;
  const errorId = `${id}-errors`;
  const described = problems.length > 0 ? { 'aria-describedby': errorId, 'aria-invalid': true } : {};
  const errors =
    problems.length > 0 ? (
      <span id={errorId} className="field-error">
        {problems.join('; ')}
      </span>
    ) : null;
  if (field.kind === 'json') return <JsonField {...{ field, value, readOnly, problems, onChange }} />;
  if (field.kind === 'boolean') {
    return (
      <label className="check">
        <input
          type="checkbox"
          disabled={readOnly}
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        {field.label}
      </label>
    );
  }
  if (field.kind === 'select') {
    return (
      <label htmlFor={id}>
        {field.label}
        <select
          id={id}
          aria-label={field.label}
          disabled={readOnly}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
          {...described}
        >
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o || '(default)'}
            </option>
          ))}
        </select>
        {errors}
      </label>
    );
  }
  if (field.kind === 'number') {
    return (
      <label htmlFor={id}>
        {field.label}
        <input
          id={id}
          type="number"
          readOnly={readOnly}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          {...described}
        />
        {errors}
      </label>
    );
  }
  const multiline = field.kind !== 'text';
  const props = {
    id,
    readOnly,
    value: typeof value === 'string' ? value : '',
    onChange: (e: { target: { value: string } }) =>
      onChange(e.target.value === '' && !field.required ? undefined : e.target.value),
    className: field.kind === 'expression' || field.kind === 'template' ? 'code' : undefined,
    ...described,
  };
  return (
    <label htmlFor={id}>
      {field.label}
      {multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
      {errors}
    </label>
  );
}

/** JSON fields keep the text as typed until it parses, so a half-typed value never loses the edit. */
function JsonField({
  field,
  value,
  readOnly,
  problems,
  onChange,
}: {
  field: FieldSpec;
  value: unknown;
  readOnly: boolean;
  problems: string[];
  onChange(value: unknown): void;
}) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string | undefined>();
  useEffect(() => {
    setText((current) => {
      try {
        if (current.trim() !== '' && JSON.stringify(JSON.parse(current)) === JSON.stringify(value)) return current;
      } catch {
        return current;
      }
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    });
  }, [value]);
  const id = `field-${field.key}`;
  const all = [...(parseError ? [parseError] : []), ...problems];
  return (
    <label htmlFor={id}>
      {field.label}
      <textarea
        id={id}
        className="code"
        rows={6}
        readOnly={readOnly}
        value={text}
        aria-invalid={all.length > 0 || undefined}
        aria-describedby={all.length > 0 ? `${id}-errors` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setParseError(undefined);
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            setParseError(undefined);
            onChange(parsed);
          } catch {
            setParseError('not valid JSON yet');
          }
        }}
      />
      {all.length > 0 ? (
        <span id={`${id}-errors`} className="field-error">
          {all.join('; ')}
        </span>
      ) : null}
    </label>
  );
}
