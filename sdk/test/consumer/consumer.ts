// Type-checked by `npm run check -w sdk` against the built declarations, as a strict consumer project sees them.
import { type Block, ComerixError, createComerixClient, type Settled } from '@comerix/sdk';

const comerix = createComerixClient({ baseUrl: 'https://flow.example.com', publicKey: 'pk_live_x' });

function render(block: Block): string {
  switch (block.type) {
    case 'text':
    case 'markdown':
      return block.text;
    case 'form':
      return block.fields.map((f) => f.label).join(', ');
    default:
      return block.type;
  }
}

export async function run(): Promise<void> {
  const chat = await comerix.openChat({ customerId: 'u-42' });
  let turn: Settled = await chat.trigger(chat.intents[0]?.name ?? 'order_status', { text: 'hi' });
  turn = await chat.wait(turn, { mode: 'stream', onBlock: (b) => render(b) });
  if (turn.status === 'waiting_input') turn = await chat.resume(turn, { order_number: '12345' });
  comerix.telemetry.track('widget_open', { pageType: 'product' });
  await comerix.telemetry.flush();
  const form = await comerix.formSchema('contact');
  form.body.fields.map((f) => f.name);
  try {
    await comerix.submitForm('contact', { email: 'x' });
  } catch (error) {
    if (error instanceof ComerixError && error.code === 'validation_failed') error.fields.map((f) => f.path);
  }
}
