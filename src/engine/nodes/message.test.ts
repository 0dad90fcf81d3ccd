import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, trigger } from '../test-support/fixtures.js';

const ctx = engineContext({}, { name: '<b>Bob</b>', site: 'https://shop.example' });
const run = (blocks: unknown[], vars: Record<string, unknown> = {}) =>
  step(
    flowOf(
      [
        {
          id: 'set',
          type: 'set',
          assign: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, JSON.stringify(v)])),
        },
        { id: 'm', type: 'message', blocks },
      ],
      [{ from: 'set', to: 'm' }],
    ),
    null,
    trigger,
    ctx,
  );

describe('message node', () => {
  it('emits its blocks in order and continues', async () => {
    const flow = flowOf(
      [
        {
          id: 'm',
          type: 'message',
          blocks: [
            { type: 'typing', ms: 300 },
            { type: 'text', text: 'Hello' },
          ],
        },
        { id: 'n', type: 'message', blocks: [{ type: 'text', text: 'again' }] },
      ],
      [{ from: 'm', to: 'n' }],
    );
    const r = await step(flow, null, trigger, ctx);
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([
      { type: 'typing', ms: 300 },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: 'again' },
    ]);
  });

  it('templates every string: text, labels, card fields, product fields, link text', async () => {
    const r = await run(
      [
        { type: 'text', text: 'Hi {{ conversation.variables.name }}' },
        { type: 'buttons', text: '{{ vars.q }}', options: [{ label: '{{ $uppercase(vars.a) }}', value: 'a' }] },
        {
          type: 'card',
          title: '{{ vars.title }}',
          text: 'Only {{ vars.price }}',
          image: '{{ conversation.variables.site }}/img/{{ vars.sku }}.png',
        },
        {
          type: 'product',
          sku: '{{ vars.sku }}',
          title: '{{ vars.title }}',
          price: '{{ vars.price }}',
          currency: 'EUR',
          url: 'https://shop.example/p/{{ vars.sku }}',
        },
        { type: 'link', url: 'https://shop.example/search?q={{ vars.q }}', text: 'Search {{ vars.q }}' },
        { type: 'image', url: 'https://cdn.example/{{ vars.sku }}.png', alt: '{{ vars.title }}' },
      ],
      { q: 'red shoes?', a: 'yes', title: 'Runner', price: '49.90', sku: 'R 1' },
    );
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([
      { type: 'text', text: 'Hi <b>Bob</b>' },
      { type: 'buttons', text: 'red shoes?', options: [{ label: 'YES', value: 'a' }] },
      { type: 'card', title: 'Runner', text: 'Only 49.90', image: 'https://shop.example/img/R%201.png' },
      {
        type: 'product',
        sku: 'R 1',
        title: 'Runner',
        price: '49.90',
        currency: 'EUR',
        url: 'https://shop.example/p/R%201',
      },
      { type: 'link', url: 'https://shop.example/search?q=red%20shoes%3F', text: 'Search red shoes?' },
      { type: 'image', url: 'https://cdn.example/R%201.png', alt: 'Runner' },
    ]);
    expect(r.trace.filter((t) => t.warning)).toEqual([]);
  });

  it('escapes inserted values in markdown blocks, so <script> and * stay literal', async () => {
    const r = await run([{ type: 'markdown', text: '**{{ vars.v }}** and {{ conversation.variables.name }}' }], {
      v: '<script>alert(1)</script> *x*',
    });
    expect(r.blocks).toEqual([
      {
        type: 'markdown',
        text: '**\\<script\\>alert\\(1\\)\\<\\/script\\> \\*x\\*** and \\<b\\>Bob\\<\\/b\\>',
      },
    ]);
  });

  it('drops unsafe URLs after rendering, with a trace warning', async () => {
    const r = await run(
      [
        { type: 'image', url: '{{ vars.bad }}' },
        { type: 'link', url: '{{ vars.bad }}', text: 'x' },
        {
          type: 'card',
          title: 'Card',
          image: '{{ vars.bad }}',
          actions: [
            { label: 'Evil', url: '{{ vars.bad }}' },
            { label: 'Mail', url: '{{ vars.mail }}' },
          ],
        },
        { type: 'product', sku: 's', title: 'P', price: '1', currency: 'USD', url: '{{ vars.bad }}' },
        { type: 'text', text: 'still here' },
      ],
      { bad: 'javascript:alert(document.cookie)', mail: 'mailto:help@shop.example' },
    );
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([
      { type: 'card', title: 'Card', actions: [{ label: 'Mail', url: 'mailto:help@shop.example' }] },
      { type: 'product', sku: 's', title: 'P', price: '1', currency: 'USD' },
      { type: 'text', text: 'still here' },
    ]);
    expect(r.trace.filter((t) => t.warning)).toEqual([
      { nodeId: 'm', type: 'message', warning: 'unsafe URL dropped at blocks[0].url' },
      {
        nodeId: 'm',
        type: 'message',
        warning: 'image block dropped at blocks[0].url: Invalid input: expected string, received undefined',
      },
      { nodeId: 'm', type: 'message', warning: 'unsafe URL dropped at blocks[1].url' },
      {
        nodeId: 'm',
        type: 'message',
        warning: 'link block dropped at blocks[1].url: Invalid input: expected string, received undefined',
      },
      { nodeId: 'm', type: 'message', warning: 'unsafe URL dropped at blocks[2].image' },
      { nodeId: 'm', type: 'message', warning: 'unsafe URL dropped at blocks[2].actions[0].url' },
      { nodeId: 'm', type: 'message', warning: 'unsafe URL dropped at blocks[3].url' },
    ]);
  });

  it('drops a block that renders invalid (empty text, bad price) with a warning', async () => {
    const r = await run(
      [
        { type: 'text', text: '{{ vars.nothing }}' },
        { type: 'product', sku: 's', title: 'P', price: '{{ vars.price }}', currency: 'USD' },
      ],
      { price: 'cheap' },
    );
    expect(r.blocks).toEqual([]);
    expect(r.trace.filter((t) => t.warning).map((t) => t.warning)).toEqual([
      'text block dropped at blocks[0].text: Too small: expected string to have >=1 characters',
      'product block dropped at blocks[1].price: must be a decimal string',
    ]);
  });
});
