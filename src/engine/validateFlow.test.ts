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

  it("keeps the admin canvas's layout (§5.1) and refuses a malformed one", () => {
    const withLayout = { ...base, start: 'a', nodes: [{ id: 'a', type: 'end' }], layout: { a: { x: 10, y: -20.5 } } };
    const result = validateFlow(withLayout);
    expect(result.ok && result.flow.layout).toEqual({ a: { x: 10, y: -20.5 } });
    expect(problemsOf({ ...withLayout, layout: { a: { x: '10', y: 0 } } })).not.toEqual([]);
    expect(problemsOf({ ...withLayout, layout: { a: { x: 1, y: 2, z: 3 } } })).not.toEqual([]);
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
        message:
          'unknown node type "teleport" (known: message, ask, choice, condition, set, goal, end, http, llm, task, delay, subflow, handoff)',
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

  it('accepts the async and subflow node types, each with an optional default edge', () => {
    const result = validateFlow({
      ...base,
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http',
          connection: 'shop-api',
          method: 'POST',
          path: '/v1/orders/{{ vars.id }}/notes:{{ vars.kind }}',
          query: { expand: '{{ vars.expand }}', empty: '' },
          headers: { 'X-Trace-Id': 't-{{ conversation.id }}', Accept: 'application/json' },
          body: { id: '{{ vars.id }}', tags: ['a', '{{ vars.tag }}'], n: 1, ok: true, none: null },
          saveAs: 'note',
          timeoutMs: 100,
        },
        { id: 'work', type: 'task', task: 'crm.sync-contact_v2', input: { email: '{{ vars.email }}' } },
        { id: 'pause', type: 'delay', seconds: 2_592_000 },
        { id: 'later', type: 'delay', until: '$fromMillis($toMillis($now()) + 60000)' },
        { id: 'sub', type: 'subflow', intent: 'returns' },
      ],
      edges: [
        { from: 'call', to: 'work' },
        { from: 'work', to: 'pause' },
        { from: 'pause', to: 'later' },
        { from: 'later', to: 'sub' },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it('checks http nodes: path rules, header names and values, body, templates and limits', () => {
    const http = (id: string, extra: object) => ({
      id,
      type: 'http',
      connection: 'shop',
      method: 'GET',
      path: '/',
      ...extra,
    });
    const nodes = [
      http('rel', { path: 'orders/{{ vars.id }}' }),
      http('net', { path: '//evil.example/x' }),
      http('abs', { path: 'https://evil.example/x' }),
      http('qry', { path: '/a?b={{ vars.b }}#top' }),
      http('bsl', { path: '/a\\b' }),
      http('dot', { path: '/a/../{{ vars.b }}' }),
      http('val', { path: '{{ vars.base }}/x' }),
      http('ws', { path: '/a b' }),
      http('hdr', {
        headers: { 'X Trace': 'a', Host: 'evil.example', 'X-A': '1', 'x-a': '2', 'X-B': 'a\r\nX-Evil: 1' },
      }),
      http('get', { body: { a: 1 } }),
      http('tpl', {
        method: 'POST',
        path: '/{{ vars.( }}',
        query: { q: '{{ 1 + }}' },
        headers: { 'X-C': '{{ $x( }}' },
        body: { deep: [{ leaf: 'x {{ vars.( }}' }] },
      }),
      // Field rules are all reported together, the path rules included.
      http('lim', { connection: 'no spaces', method: 'HEAD', path: '//lim', timeoutMs: 50, saveAs: 'Bad' }),
    ];
    const problems = problemsOf({ ...base, start: 'rel', nodes, edges: [{ from: 'rel', port: 'ok', to: 'net' }] });
    expect(
      problems.filter((p) => !p.message.includes('reachable')).map((p) => `${p.nodeId} ${p.path}: ${p.message}`),
    ).toEqual([
      'rel nodes[0].path: must start with "/" (a path below the connection\'s base URL)',
      'net nodes[1].path: must not start with "//"',
      'abs nodes[2].path: must start with "/" (a path below the connection\'s base URL)',
      'abs nodes[2].path: must not contain "://" (the connection decides the host)',
      'qry nodes[3].path: must not contain "?" (put query parameters in "query")',
      'qry nodes[3].path: must not contain "#"',
      'bsl nodes[4].path: must not contain "\\"',
      'dot nodes[5].path: must not contain "." or ".." segments',
      'val nodes[6].path: must start with "/" (a path below the connection\'s base URL)',
      'ws nodes[7].path: must not contain spaces or control characters',
      'hdr nodes[8].headers.X Trace: header name "X Trace" is not a valid token (RFC 7230)',
      'hdr nodes[8].headers.Host: header "Host" is set by the HTTP client and cannot be templated',
      'hdr nodes[8].headers.x-a: header "x-a" is given twice (names are case-insensitive)',
      'hdr nodes[8].headers.X-B: header "X-B" contains CR, LF or NUL',
      'get nodes[9].body: a GET request has no body',
      'tpl nodes[10].path: bad template: in "{{ vars.( }}": Expected ")" before end of expression (at position 6)',
      'tpl nodes[10].query.q: bad template: in "{{ 1 + }}": Unexpected end of expression (at position 3)',
      'tpl nodes[10].headers.X-C: bad template: in "{{ $x( }}": Expected ")" before end of expression (at position 3)',
      'tpl nodes[10].body.deep[0].leaf: bad template: in "{{ vars.( }}": Expected ")" before end of expression (at position 6)',
      'lim nodes[11].connection: a connection name: must match ^[a-z][a-z0-9_-]{0,63}$',
      'lim nodes[11].method: Invalid option: expected one of "GET"|"POST"|"PUT"|"PATCH"|"DELETE"',
      'lim nodes[11].path: must not start with "//"',
      'lim nodes[11].saveAs: must match ^[a-z][a-z0-9_]{0,63}$',
      'lim nodes[11].timeoutMs: Too small: expected number to be >=100',
      'rel edges[0].port: a http node has no port "ok" (leave "port" out)',
    ]);
  });

  it('checks task, delay and subflow nodes', () => {
    const problems = problemsOf({
      ...base,
      start: 't1',
      nodes: [
        { id: 't1', type: 'task', task: 'Stock.Reserve', input: { a: ['{{ vars.( }}'] } },
        { id: 'd1', type: 'delay', seconds: 5, until: '"2030-01-01"' },
        { id: 'd2', type: 'delay' },
        { id: 'd3', type: 'delay', seconds: 0 },
        { id: 'd4', type: 'delay', seconds: 2_592_001 },
        { id: 'd5', type: 'delay', until: 'vars.(' },
        { id: 's1', type: 'subflow', intent: 'Not An Intent' },
        { id: 's2', type: 'subflow', intent: 'other', extra: 1 },
      ],
      edges: [
        { from: 't1', to: 'd1' },
        { from: 'd1', to: 'd2' },
        { from: 'd2', to: 'd3' },
        { from: 'd3', to: 'd4' },
        { from: 'd4', to: 'd5' },
        { from: 'd5', to: 's1' },
        { from: 's1', to: 's2' },
        { from: 's2', port: 'done', to: 't1' },
      ],
    });
    expect(problems.map((p) => `${p.nodeId} ${p.path}: ${p.message}`)).toEqual([
      't1 nodes[0].task: a handler name: must match ^[a-z][a-z0-9_.-]{0,63}$',
      't1 nodes[0].input.a[0]: bad template: in "{{ vars.( }}": Expected ")" before end of expression (at position 6)',
      'd1 nodes[1]: a delay needs exactly one of "seconds" or "until"',
      'd2 nodes[2]: a delay needs exactly one of "seconds" or "until"',
      'd3 nodes[3].seconds: Too small: expected number to be >=1',
      'd4 nodes[4].seconds: Too big: expected number to be <=2592000',
      'd5 nodes[5].until: bad expression: Expected ")" before end of expression (at position 6)',
      's1 nodes[6].intent: an intent name: must match ^[a-z][a-z0-9_]{0,63}$',
      's2 nodes[7].extra: unknown field "extra"',
      's2 edges[7].port: a subflow node has no port "done" (leave "port" out)',
    ]);
  });

  it('refuses patterns the linear-time engine cannot run, naming the node', () => {
    const flow = {
      ...base,
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask',
          fields: [{ name: 'pair', type: 'text', label: 'Pair', pattern: '^(a)\\1$' }],
        },
        { id: 'check', type: 'condition', expression: '$contains(input.text, /^(?=a)a+$/)' },
        { id: 'say', type: 'message', blocks: [{ type: 'text', text: '{{ $replace(vars.pair, /(?<!x)a/, "b") }}' }] },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'ask', to: 'check' },
        { from: 'check', port: 'true', to: 'say' },
        { from: 'check', port: 'false', to: 'done' },
        { from: 'say', to: 'done' },
      ],
    };
    const problems = problemsOf(flow);
    expect(problems.map((p) => `${p.nodeId} ${p.path}`)).toEqual([
      'ask nodes[0].fields[0].pattern',
      'check nodes[1].expression',
      'say nodes[2].blocks[0].text',
    ]);
    for (const p of problems) expect(p.message).toMatch(/no backreferences or lookaround/);
    // The same flow with a catastrophic but RE2-runnable pattern is fine: it will run in linear time.
    const fine = structuredClone(flow);
    fine.nodes[0] = {
      id: 'ask',
      type: 'ask',
      fields: [{ name: 'pair', type: 'text', label: 'Pair', pattern: '^(a+)+$' }],
    };
    fine.nodes[1] = { id: 'check', type: 'condition', expression: '$contains(input.text, /^(a+)+$/)' };
    fine.nodes[2] = { id: 'say', type: 'message', blocks: [{ type: 'text', text: '{{ vars.pair }}' }] };
    expect(problemsOf(fine)).toEqual([]);
  });
});
