// The block fixtures of the widget's browser test (issue 24): one published flow per block type of DESIGN §5.

export const SQUARE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><rect width="240" height="120" fill="#1a73e8"/></svg>';

/** One flow per block type: a message node with the block, or the node that produces it (ask, handoff, a failing task). */
export function fixtureFlows(asset: string): Record<string, Record<string, unknown>> {
  const message = (block: Record<string, unknown>) => ({ id: 'show', type: 'message', blocks: [block] });
  const card = {
    title: 'Trail shoe',
    text: 'Our lightest shoe.',
    image: `${asset}/square.svg`,
    actions: [
      { label: 'View', url: 'https://acme.com/p/1' },
      { label: 'Pick', value: 'pick' },
    ],
  };
  const nodes: Record<string, Record<string, unknown>> = {
    text: message({ type: 'text', text: 'Plain <img src=x onerror="window.__xss=1"> text\nwith a second line' }),
    markdown: message({
      type: 'markdown',
      text: 'Hi **Ann\\_\\*\\<b\\>**, see [the shop](https://acme.com) and [bad](javascript:alert(1)).\n\n- one\n- two',
    }),
    image: message({ type: 'image', url: `${asset}/square.svg`, alt: 'A blue square' }),
    buttons: {
      id: 'show',
      type: 'choice',
      text: 'Pick a size',
      options: [
        { label: 'Small', value: 's' },
        { label: 'Large', value: 'l' },
      ],
    },
    quick_replies: {
      id: 'show',
      type: 'choice',
      display: 'quick_replies',
      text: 'Gift wrap?',
      options: [
        { label: 'Yes', value: 'yes' },
        { label: 'No', value: 'no' },
      ],
    },
    form: {
      id: 'show',
      type: 'ask',
      submitLabel: 'Send it',
      fields: [
        { name: 'email', type: 'email', label: 'Email', required: true },
        { name: 'qty', type: 'number', label: 'Quantity', min: 1, max: 9 },
        {
          name: 'size',
          type: 'select',
          label: 'Size',
          options: [
            { label: 'S', value: 's' },
            { label: 'M', value: 'm' },
          ],
        },
        { name: 'terms', type: 'checkbox', label: 'I accept the terms', required: true },
        // RE2 syntax the browser's engine cannot compile: the widget leaves it to the server, whose 422 it shows.
        { name: 'code', type: 'text', label: 'Voucher code', pattern: '(?i)^ab[0-9]$' },
      ],
    },
    card: message({ type: 'card', ...card }),
    carousel: message({
      type: 'carousel',
      cards: [card, { ...card, title: 'Road shoe' }, { ...card, title: 'Sandal' }],
    }),
    product: message({
      type: 'product',
      sku: 'TR-2',
      title: 'Trail runner 2',
      price: '59.90',
      currency: 'EUR',
      image: `${asset}/square.svg`,
      url: 'https://acme.com/p/tr-2',
    }),
    link: message({ type: 'link', url: 'https://acme.com/help', text: 'Help centre' }),
    file: message({ type: 'file', url: 'https://acme.com/files/invoice.pdf', name: 'invoice.pdf' }),
    typing: message({ type: 'typing', ms: 10_000 }),
    handoff: { id: 'show', type: 'handoff', queue: 'support', message: 'Connecting you to a person…' },
    error: { id: 'show', type: 'task', task: 'order_lookup', input: { order_number: 'not a number' } },
  };
  return Object.fromEntries(
    Object.entries(nodes).map(([type, node]) => [
      type,
      {
        intent: { name: `fx_${type}`, description: `Fixture ${type}`, examples: [], required_entities: [] },
        start: 'show',
        // A handoff ends the execution itself; every other node goes on to an end node.
        nodes: node.type === 'handoff' ? [node] : [node, { id: 'done', type: 'end' }],
        edges:
          node.type === 'handoff'
            ? []
            : node.type === 'choice'
              ? (node.options as { value: string }[]).map((o) => ({ from: 'show', port: o.value, to: 'done' }))
              : [{ from: 'show', to: 'done' }],
      },
    ]),
  );
}
