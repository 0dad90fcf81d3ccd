import { describe, expect, it } from 'vitest';
import { canvasOf, definitionOf } from '../../web/admin/src/editor/flowGraph.js';
import type { FlowDefinition } from '../../web/admin/src/editor/nodeSpecs.js';
import { exampleFlow } from '../support/fixtures.js';

describe('the canvas model', () => {
  it('turns a flow file into nodes and edges and back into the same file, positions in layout', () => {
    const flow = exampleFlow('order_status') as FlowDefinition;
    const { nodes, edges } = canvasOf(flow);
    expect(nodes.map((n) => n.id)).toEqual(flow.nodes.map((n) => n.id));
    const back = definitionOf(flow, nodes, edges, flow.start);
    const { layout, ...rest } = back;
    expect(rest).toEqual(flow);
    expect(Object.keys(layout ?? {})).toEqual(flow.nodes.map((n) => n.id));
    const spots = new Set(Object.values(layout ?? {}).map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(flow.nodes.length);
  });

  it('keeps the positions a flow file already has', () => {
    const flow = exampleFlow('order_status') as FlowDefinition;
    const layout = Object.fromEntries(flow.nodes.map((n, i) => [n.id, { x: i * 10, y: i * 20 }]));
    const { nodes } = canvasOf({ ...flow, layout });
    expect(nodes.map((n) => n.position)).toEqual(flow.nodes.map((_, i) => ({ x: i * 10, y: i * 20 })));
  });
});
