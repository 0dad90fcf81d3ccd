import { type Block, ComerixError, createComerixClient, type Settled } from '@comerix/sdk';

const comerix = createComerixClient({ baseUrl: 'https://flow.example.com', publicKey: 'pk_live_…' });
const log = document.querySelector('#chat') as HTMLElement;
type Saved = { conversationId: string; conversationToken: string };
const saved = JSON.parse(localStorage.getItem('comerix') ?? 'null') as Saved | null;

function render(block: Block): void {
  const p = document.createElement('p');
  if (block.type === 'text' || block.type === 'markdown') p.textContent = block.text;
  else if (block.type === 'form') p.textContent = block.fields.map((f) => f.label).join(' · ');
  else if (block.type === 'buttons' || block.type === 'quick_replies')
    p.textContent = block.options.map((o) => o.label).join(' | ');
  else p.textContent = `[${block.type}]`;
  log.append(p);
}

/** Opens (or, after a reload, continues) the visitor's conversation; answers the function that sends a message. */
export async function startWidget(customerId: string) {
  comerix.telemetry.flushOnPageHide();
  comerix.telemetry.track('widget_open', { pageType: 'product' });
  const chat = await comerix.openChat({ customerId, ...(saved ?? {}) });
  const keep: Saved = { conversationId: chat.conversationId, conversationToken: chat.conversationToken };
  localStorage.setItem('comerix', JSON.stringify(keep));
  // A form left open before the reload can still be answered.
  let waiting: { executionId: string; waitToken?: string | undefined } | undefined = await chat.pending();

  async function show(turn: Settled): Promise<void> {
    turn.blocks.forEach(render);
    // waiting_time: follow the execution over SSE (reconnecting with Last-Event-ID) until it needs input or ends.
    const settled = await chat.wait(turn, { mode: 'stream', onBlock: render });
    waiting = settled.status === 'waiting_input' ? settled : undefined;
    if (settled.status === 'failed') log.append('Sorry, something went wrong.');
  }

  return async function send(text: string, values?: Record<string, unknown>): Promise<void> {
    comerix.telemetry.track('message_sent');
    try {
      if (waiting && values) await show(await chat.resume(waiting, values));
      else await show(await chat.trigger(chat.intents[0]?.name ?? 'order_status', { text }));
    } catch (error) {
      if (!(error instanceof ComerixError)) throw error;
      // 422: the form stays open and its wait token valid; say what to fix.
      if (error.code === 'validation_failed') for (const f of error.fields) log.append(`${f.path}: ${f.message}`);
      else log.append(`${error.message} (request ${error.requestId})`);
    }
  };
}
