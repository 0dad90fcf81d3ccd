import { describe, expect, it } from 'vitest';
import { brokenFlow } from './test-support/brokenFlow.js';
import { orderStatusFlow, returnsFlow } from './test-support/fixtures.js';
import { validateFlow } from './validateFlow.js';

const problemsOf = (def: unknown) => {
  const result = validateFlow(def);
  return result.ok ? [] : result.problems;
};
const base = { intent: { name: 'test', description: 'Test' } };

describe('validateFlow', () => {
  it('accepts the §5.1 example and the returns flow, filling defaults', () => {
    const result = validateFlow(orderStatusFlow);
    expect(result.ok).toBe(true);
    expect(validateFlow(returnsFlow).ok).toBe(true);
    const minimal = validateFlow({ ...base, start: 'a', nodes: [{ id: 'a', type: 'end' }] });
    expect(minimal).toEqual({
      ok: true,
      flow: {
        intent: { name: 'test', description: 'Test', examples: [], required_entities: [] },
        start: 'a',
        nodes: [{ id: 'a', type: 'end' }],
        edges: [],
      },
    });
  });

  it('lists every problem of a broken flow, each with its node id', () => {
    expect(problemsOf(brokenFlow)).toEqual([
      { path: 'intent.name', message: 'must be snake_case: ^[a-z][a-z0-9_]{0,63}$' },
      { path: 'colour', message: 'unknown field "colour"' },
      // schema error inside a node
      {
        nodeId: 'greet',
        path: 'nodes[0].blocks[0].text',
        message: 'Invalid input: expected string, received undefined',
      },
      // bad JSONata in a markdown template, still found although the node has a schema error
      {
        nodeId: 'greet',
        path: 'nodes[0].blocks[1].text',
        message: 'bad template: in "{{ vars.( }}": Expected ")" before end of expression (at position 6)',
      },
      {
        nodeId: 'check',
        path: 'nodes[1].expression',
        message: 'bad expression: Unexpected end of expression (at position 9)',
      },
      {
        nodeId: 'pick',
        path: 'nodes[2].text',
        message: 'bad template: in "{{ 1 + }}": Unexpected end of expression (at position 3)',
      },
      { nodeId: 'calc', path: 'nodes[3].asign', message: 'unknown field "asign"' },
      {
        nodeId: 'calc',
        path: 'nodes[3].assign.total',
        message: 'bad expression: Expected ")" before end of expression (at position 5)',
      },
      {
        nodeId: 'tele',
        path: 'nodes[5].type',
        message: 'unknown node type "teleport" (known: message, ask, choice, condition, set, goal, end)',
      },
      { nodeId: 'calc', path: 'nodes[6].id', message: 'duplicate node id "calc"' },
      { nodeId: 'orphan', path: 'nodes[7].blocks[0].url', message: 'unsafe URL: only http(s) URLs are allowed' },
      { nodeId: 'greet', path: 'edges[1]', message: 'second edge from "greet" on the default port' },
      { nodeId: 'greet', path: 'edges[2].port', message: 'a message node has no port "x" (leave "port" out)' },
      { nodeId: 'check', path: 'edges[4]', message: 'a condition node needs a port on each edge (one of true, false)' },
      { path: 'edges[7].from', message: 'edge from unknown node "ghost"' },
      { nodeId: 'done', path: 'edges[8].to', message: 'edge to unknown node "nowhere"' },
      { nodeId: 'done', path: 'edges[8]', message: 'an end node has no outgoing edges' },
      { nodeId: 'check', path: 'nodes[1]', message: 'missing edge for port "false"' },
      { nodeId: 'pick', path: 'nodes[2]', message: 'missing edge for port "b"' },
      { nodeId: 'route', path: 'nodes[4]', message: 'missing edge for port "default"' },
      { nodeId: 'calc', path: 'nodes[3]', message: 'node is not reachable from start' },
      { nodeId: 'tele', path: 'nodes[5]', message: 'node is not reachable from start' },
      { nodeId: 'orphan', path: 'nodes[7]', message: 'node is not reachable from start' },
    ]);
  });

  it('reports a missing start and a start that names no node', () => {
    expect(problemsOf({ ...base, nodes: [{ id: 'a', type: 'end' }] })).toEqual([
      { path: 'start', message: 'start is missing' },
    ]);
    expect(problemsOf({ ...base, start: 'b', nodes: [{ id: 'a', type: 'end' }] })).toEqual([
      { path: 'start', message: 'start node "b" does not exist' },
    ]);
  });

  it('reports what it can of a flow that is not even an object', () => {
    expect(problemsOf(null)).toEqual([{ path: '(root)', message: 'Invalid input: expected object, received null' }]);
    expect(problemsOf({ ...base, start: 'a', nodes: ['a'] })).toEqual([
      { path: 'nodes[0]', message: 'a node must be an object' },
      { path: 'start', message: 'start node "a" does not exist' },
    ]);
  });

  it('checks ids, ports and option values of nodes', () => {
    const problems = problemsOf({
      ...base,
      start: 'bad id!',
      nodes: [
        { id: 'bad id!', type: 'end' },
        { id: 'c', type: 'condition', expression: 'true', cases: [{ port: 'default', expression: 'true' }] },
        {
          id: 'p',
          type: 'choice',
          options: [
            { label: 'A', value: 'a' },
            { label: 'A again', value: 'a' },
          ],
        },
        { id: 'e', type: 'end', reason: 'why' },
      ],
    });
    expect(problems.map((p) => `${p.nodeId} ${p.path}: ${p.message}`)).toEqual([
      'bad id! nodes[0].id: must match ^[A-Za-z0-9_-]{1,64}$',
      'c nodes[1]: a condition needs exactly one of "expression" or "cases"',
      'c nodes[1].cases[0].port: port "default" is reserved for the fallback',
      'p nodes[2].options[1].value: duplicate option value "a"',
      'e nodes[3].reason: a reason is only given with status "aborted"',
      // Ports are still read from the nodes that failed their schema.
      'c nodes[1]: missing edge for port "default"',
      'p nodes[2]: missing edge for port "a"',
      'c nodes[1]: node is not reachable from start',
      'p nodes[2]: node is not reachable from start',
      'e nodes[3]: node is not reachable from start',
    ]);
  });

  it('requires a choice id to be a valid field name, since it names the wait field and the variable', () => {
    const problems = problemsOf({
      ...base,
      start: 'Pick-1',
      nodes: [{ id: 'Pick-1', type: 'choice', options: [{ label: 'A', value: 'a' }] }],
      edges: [{ from: 'Pick-1', port: 'a', to: 'Pick-1' }],
    });
    expect(problems).toEqual([
      {
        nodeId: 'Pick-1',
        path: 'nodes[0].id',
        message: 'a choice id is also a field name: must match ^[a-z][a-z0-9_]{0,63}$',
      },
    ]);
  });

  it('rejects unknown fields everywhere, including edges and settings', () => {
    const problems = problemsOf({
      ...base,
      start: 'a',
      nodes: [{ id: 'a', type: 'end' }],
      edges: [{ from: 'a', to: 'a', prot: 'x' }],
      settings: { waitExpiresSecs: 60 },
    });
    expect(problems).toEqual([
      { path: 'edges[0].prot', message: 'unknown field "prot"' },
      { path: 'settings.waitExpiresSecs', message: 'unknown field "waitExpiresSecs"' },
    ]);
  });

  it('checks templates in every templated string of message blocks', () => {
    const problems = problemsOf({
      ...base,
      start: 'm',
      nodes: [
        {
          id: 'm',
          type: 'message',
          blocks: [
            { type: 'buttons', options: [{ label: '{{ $x( }}', value: 'a' }] },
            { type: 'link', url: 'https://example.com/{{ vars.a + }}', text: 'go' },
            { type: 'link', url: 'mailto:help@example.com' },
            { type: 'card', title: 'T', actions: [{ label: 'L', url: 'ftp://example.com' }] },
          ],
        },
      ],
    });
    expect(problems.map((p) => `${p.nodeId} ${p.path}`)).toEqual([
      'm nodes[0].blocks[0].options[0].label',
      'm nodes[0].blocks[1].url',
      'm nodes[0].blocks[3].actions[0].url',
    ]);
  });
});
