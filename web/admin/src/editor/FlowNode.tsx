import { Handle, type NodeProps, Position } from '@xyflow/react';
import type { CanvasNode } from './flowGraph.js';
import { DEFAULT_PORT } from './flowGraph.js';
import { portsOf } from './nodeSpecs.js';

/** A node on the canvas: its id and type, one handle per outgoing port, and its validation problems. */
export function FlowNode({ data, selected }: NodeProps<CanvasNode>) {
  const { def, problems, isStart, changed } = data;
  const ports = portsOf(def);
  const classes = ['flow-node', `type-${def.type}`];
  if (problems.length > 0) classes.push('invalid');
  if (selected) classes.push('selected');
  if (changed) classes.push(`diff-${changed}`);
  return (
    <div className={classes.join(' ')} data-node-id={def.id} aria-invalid={problems.length > 0 || undefined}>
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-head">
        <span className="flow-node-type">{def.type}</span>
        {isStart ? <span className="badge ok">start</span> : null}
        {changed ? <span className="badge">{changed}</span> : null}
      </div>
      <div className="flow-node-id">{def.id}</div>
      {problems.length > 0 ? (
        <ul className="flow-node-problems" role="alert">
          {problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      ) : null}
      <div className="flow-node-ports">
        {ports.map((port, i) => (
          <div className="flow-node-port" key={port || DEFAULT_PORT}>
            {port ? <span>{port}</span> : null}
            <Handle
              type="source"
              id={port || DEFAULT_PORT}
              position={Position.Bottom}
              style={{ left: `${((i + 1) * 100) / (ports.length + 1)}%` }}
            />
          </div>
        ))}
      </div>
    </div>
  );
}
