import { html, LitElement, nothing, type PropertyValues } from 'lit';
// Keyed: an entry keeps its DOM (and what the visitor typed into a form) when one before it goes (a typing block).
import { repeat } from 'lit/directives/repeat.js';
import {
  type ChatSession,
  type ComerixClient,
  ComerixError,
  createComerixClient,
  type HistoryItem,
  type Intent,
  type QuickQuestions,
  type Settled,
} from '../../../sdk/src/index.js';
import type { Appearance } from '../../../src/wire/appearanceSchema.js';
import { checkValues, type FieldIssue } from './checkValues.js';
import { loadConversation, saveConversation, visitorId } from './conversationStore.js';
import { type BlockContext, renderBlock } from './renderBlock.js';
import { readForm } from './renderForm.js';
import { renderMarkdown } from './renderMarkdown.js';
import { styles } from './styles.js';
import type { Block, Field } from './types.js';
import { classify, type Problem, problemText } from './widgetState.js';

type QuickQuestion = QuickQuestions['items'][number];
type Entry =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'bot'; key: string; block: Block }
  | { kind: 'stream'; key: string; text: string }
  | { kind: 'note'; key: string; text: string };
interface InputWait {
  executionId: string;
  waitToken: string;
  fields: readonly Field[];
  /** The block that asked (its form or buttons are live); undefined when it is not in the transcript. */
  blockId: string | undefined;
}

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
/** The widget's own script: its origin is the API's unless `api-base` says otherwise. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * `<comerix-chat public-key="pk_live_…" page-type="product">`: the reference chat widget (issue 24) on the SDK.
 * Lit renders every server string as text; the only DOM built by hand is markdown, through textContent. State lives
 * in plain fields and each change calls requestUpdate(), so the element needs no decorators.
 *
 * DOM events (bubbling, composed): `comerix:ready`, `comerix:open`, `comerix:close`, `comerix:message`,
 * `comerix:status`, `comerix:error` (docs/embed-widget.md).
 */
export class ComerixChat extends LitElement {
  static override styles = styles;
  static override properties = {
    publicKey: { type: String, attribute: 'public-key' },
    pageType: { type: String, attribute: 'page-type' },
    customerId: { type: String, attribute: 'customer-id' },
    apiBase: { type: String, attribute: 'api-base' },
    inline: { type: Boolean, reflect: true },
  };
  declare publicKey: string | undefined;
  declare pageType: string | undefined;
  declare customerId: string | undefined;
  declare apiBase: string | undefined;
  /** Render the panel in the page flow, always open (no launcher): for a help page or a test page. */
  declare inline: boolean;

  private client: ComerixClient | undefined;
  private chat: ChatSession | undefined;
  private opening: Promise<ChatSession | undefined> | undefined;
  private open = false;
  private appearance: Appearance = {};
  private label = 'Chat';
  private quickQuestions: QuickQuestion[] = [];
  private intents: Intent[] = [];
  private entries: Entry[] = [];
  private seen = new Set<string>();
  private waiting: InputWait | undefined;
  private status: string | undefined;
  private busy = false;
  private sending = false;
  private problem: Problem | undefined;
  private readonly fieldErrors = new Map<string, string>();
  private markdownCache = new Map<string, HTMLElement>();
  private greeted = false;
  private openedAt = 0;
  private stopTelemetry: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.publicKey) {
      console.error('[comerix-chat] The public-key attribute is missing.');
      return;
    }
    this.client = createComerixClient({
      baseUrl: (this.apiBase ?? SCRIPT_ORIGIN).replace(/\/+$/, ''),
      publicKey: this.publicKey,
      anonymousId: visitorId(),
    });
    this.stopTelemetry = this.client.telemetry.flushOnPageHide();
    void this.loadPublished();
    const saved = loadConversation(this.publicKey);
    // A conversation of this tab (a reload): continue it, and reopen the panel if it was open.
    if (saved || this.inline) void this.start(saved?.open ?? true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTelemetry?.();
    void this.client?.telemetry.flush({ keepalive: true }).catch(() => undefined);
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const log = this.renderRoot.querySelector('.log');
    if (log) log.scrollTop = log.scrollHeight;
  }

  // ---- published reads: look and quick questions, before any session --------------------------------------------

  private async loadPublished(): Promise<void> {
    const client = this.client!;
    const [appearance, questions] = await Promise.allSettled([
      client.config('appearance'),
      client.quickQuestions(this.pageType ? { pageTypes: [this.pageType] } : {}),
    ]);
    if (appearance.status === 'fulfilled') this.applyAppearance(appearance.value.body.values as Appearance);
    if (questions.status === 'fulfilled') this.quickQuestions = questions.value.body.items;
    this.requestUpdate();
  }

  private applyAppearance(values: Appearance): void {
    this.appearance = values ?? {};
    for (const [name, value] of Object.entries(values?.colors ?? {})) {
      if (typeof value === 'string' && HEX.test(value)) this.style.setProperty(`--cx-${name}`, value);
    }
    if (values?.position === 'bottom-left' || values?.position === 'bottom-right') {
      this.dataset.position = values.position;
    }
  }

  // ---- session ----------------------------------------------------------------------------------------------------

  /** Opens the panel and, the first time, the session (or continues this tab's conversation). */
  private async start(open = true): Promise<ChatSession | undefined> {
    if (open) this.setOpen(true);
    this.opening ??= this.openSession().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openSession(): Promise<ChatSession | undefined> {
    if (this.chat) return this.chat;
    const client = this.client!;
    const key = this.publicKey!;
    const saved = loadConversation(key);
    this.problem = undefined;
    this.setStatus('connecting');
    try {
      const customerId = this.customerId ?? visitorId();
      let chat: ChatSession;
      try {
        chat = await client.openChat(
          saved
            ? { customerId, conversationId: saved.conversationId, conversationToken: saved.conversationToken }
            : { customerId },
        );
      } catch (error) {
        // A conversation that no longer exists (deleted by retention, or another key's): start a new one.
        if (!(saved && error instanceof ComerixError && error.code === 'not_found')) throw error;
        saveConversation(key, undefined);
        chat = await client.openChat({ customerId });
      }
      this.chat = chat;
      this.intents = chat.intents;
      this.label = chat.session.widget.label;
      saveConversation(key, {
        conversationId: chat.conversationId,
        conversationToken: chat.conversationToken,
        open: this.open,
      });
      if (saved) await this.restore(chat);
      this.setStatus('ready');
      this.emit('comerix:ready', { conversationId: chat.conversationId, restored: saved !== undefined });
      return chat;
    } catch (error) {
      await this.fail(error);
      return undefined;
    }
  }

  /** History and `pending` after a reload: the transcript as it was, and a form still open is live again. */
  private async restore(chat: ChatSession): Promise<void> {
    const items: HistoryItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await chat.history({ limit: 200, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      if (!cursor) {
        for (const item of items) this.addHistoryItem(item);
        const pending = page.pending;
        if (pending?.status === 'waiting_input' && pending.waitToken && pending.wait?.type === 'input') {
          this.waiting = {
            executionId: pending.executionId,
            waitToken: pending.waitToken,
            fields: pending.wait.fields,
            blockId: this.lastAnswerable(pending.executionId),
          };
        } else if (pending?.status === 'waiting_time') {
          void this.follow({
            executionId: pending.executionId,
            status: 'waiting_time',
            blocks: [],
          } as unknown as Settled);
        }
      }
    } while (cursor);
    this.greeted = true;
  }

  private addHistoryItem(item: HistoryItem): void {
    if (item.role === 'user') {
      const text = item.text ?? (item.values ? summarize(item.values) : '');
      if (text) this.addEntry({ kind: 'user', key: `h-${item.id}`, text });
    } else if (item.block && item.block.type !== 'typing') {
      this.addBlock(item.block, (item as { executionId: string | null }).executionId ?? undefined);
    }
  }

  // ---- turns ------------------------------------------------------------------------------------------------------

  private async trigger(intentName: string, text: string): Promise<void> {
    const chat = await this.start();
    if (!chat || this.sending) return;
    this.addEntry({ kind: 'user', key: `u-${crypto.randomUUID()}`, text });
    this.track('message_sent', { intentName, length: [...text].length });
    await this.run(() => chat.trigger(intentName, { text, supersede: true }));
  }

  private async resume(values: Record<string, unknown>, shown: string): Promise<void> {
    const chat = this.chat;
    const wait = this.waiting;
    if (!chat || !wait || this.sending) return;
    this.fieldErrors.clear();
    const ok = await this.run(
      () => chat.resume(wait, values),
      () => {
        this.addEntry({ kind: 'user', key: `u-${crypto.randomUUID()}`, text: shown });
        this.track('message_sent', { length: [...shown].length });
      },
    );
    if (!ok) this.focusFirstError();
  }

  /** Sends one request and handles its turn; a 422 keeps the form live with the server's problems by path. */
  private async run(send: () => Promise<Settled>, accepted?: () => void): Promise<boolean> {
    this.sending = true;
    this.problem = undefined;
    this.requestUpdate();
    try {
      const turn = await send();
      accepted?.();
      this.waiting = undefined;
      await this.follow(turn);
      return true;
    } catch (error) {
      if (error instanceof ComerixError && error.code === 'validation_failed') {
        this.showIssues(error.fields);
        return false;
      }
      await this.fail(error);
      return false;
    } finally {
      this.sending = false;
      this.requestUpdate();
    }
  }

  /** Renders a turn, follows `waiting_time` over the stream (blocks and LLM tokens as they come), then settles. */
  private async follow(turn: Settled): Promise<void> {
    for (const block of turn.blocks) await this.present(block, turn.executionId);
    this.setStatus(turn.status, turn.executionId);
    let settled = turn;
    if (turn.status === 'waiting_time') {
      this.busy = true;
      this.requestUpdate();
      try {
        settled = await this.chat!.wait(turn, {
          mode: 'stream',
          onBlock: (block) => void this.present(block, turn.executionId),
          onToken: ({ blockId, delta }) => this.streamToken(blockId, delta),
        });
      } finally {
        this.busy = false;
      }
      for (const block of settled.blocks) await this.present(block, turn.executionId);
      this.setStatus(settled.status, turn.executionId);
    }
    if (settled.status === 'waiting_input' && settled.waitToken && settled.wait?.type === 'input') {
      this.waiting = {
        executionId: settled.executionId,
        waitToken: settled.waitToken,
        fields: settled.wait.fields,
        blockId: this.lastAnswerable(settled.executionId),
      };
      const form = this.entries.find((e) => e.kind === 'bot' && e.block.id === this.waiting?.blockId);
      if (form?.kind === 'bot' && form.block.type === 'form')
        this.track('form_viewed', { executionId: settled.executionId });
    }
    if (settled.status === 'aborted' && settled.reason === 'superseded') return;
    this.requestUpdate();
  }

  /** Shows a block once (blocks are deduplicated by id); a typing block shows for its time, then goes. */
  private async present(block: Block, executionId: string | undefined): Promise<void> {
    if (this.seen.has(block.id)) return;
    if (block.type === 'typing') {
      this.seen.add(block.id);
      const entry: Entry = { kind: 'bot', key: block.id, block };
      this.entries = [...this.entries, entry];
      this.requestUpdate();
      await new Promise((resolve) => setTimeout(resolve, Math.min(block.ms, 10_000)));
      this.entries = this.entries.filter((e) => e !== entry);
      this.requestUpdate();
      return;
    }
    this.addBlock(block, executionId);
  }

  private addBlock(block: Block, executionId: string | undefined): void {
    if (this.seen.has(block.id)) return;
    this.seen.add(block.id);
    this.executionOf.set(block.id, executionId);
    // A streamed bubble is replaced by its final block (same id), in place.
    const streamed = this.entries.findIndex((e) => e.kind === 'stream' && e.key === block.id);
    const entry: Entry = { kind: 'bot', key: block.id, block };
    if (streamed >= 0) this.entries = this.entries.map((e, i) => (i === streamed ? entry : e));
    else this.entries = [...this.entries, entry];
    this.emit('comerix:message', { block });
    this.requestUpdate();
  }

  private readonly executionOf = new Map<string, string | undefined>();

  private streamToken(blockId: string, delta: string): void {
    if (this.seen.has(blockId)) return;
    const at = this.entries.findIndex((e) => e.kind === 'stream' && e.key === blockId);
    if (at >= 0) {
      const entry = this.entries[at] as Extract<Entry, { kind: 'stream' }>;
      this.entries = this.entries.map((e, i) => (i === at ? { ...entry, text: entry.text + delta } : e));
    } else this.entries = [...this.entries, { kind: 'stream', key: blockId, text: delta }];
    this.requestUpdate();
  }

  /** The last form or choice block of an execution: the one its input wait answers. */
  private lastAnswerable(executionId: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i -= 1) {
      const e = this.entries[i]!;
      if (e.kind !== 'bot' || this.executionOf.get(e.block.id) !== executionId) continue;
      if (e.block.type === 'form' || e.block.type === 'buttons' || e.block.type === 'quick_replies') return e.block.id;
    }
    return undefined;
  }

  // ---- answering --------------------------------------------------------------------------------------------------

  private readonly blockContext: BlockContext = {
    isActive: (block) => !this.sending && this.waiting !== undefined && this.waiting.blockId === block.id,
    waitFields: () => (this.sending ? [] : (this.waiting?.fields ?? [])),
    choose: (block, value, label) => {
      const field = this.waiting?.fields[0];
      if (!field) return;
      this.track('block_clicked', {
        blockId: block.id,
        executionId: this.waiting?.executionId,
        action: label.slice(0, 128),
      });
      void this.resume({ [field.name]: value }, label);
    },
    submit: (_block, form) => void this.submitForm(form),
    fieldErrors: this.fieldErrors,
    markdown: (block) => {
      let element = this.markdownCache.get(block.id);
      if (!element) {
        element = document.createElement('div');
        element.append(renderMarkdown(block.text));
        this.markdownCache.set(block.id, element);
      }
      return element;
    },
    clicked: (block, label) =>
      this.track('block_clicked', { blockId: block.id, action: label.slice(0, 128), blockType: block.type }),
  };

  private async submitForm(form: HTMLFormElement): Promise<void> {
    const wait = this.waiting;
    if (!wait) return;
    const raw = readForm(form, wait.fields);
    // Files are checked here (type and size) and uploaded first; the form then sends their ids.
    const fileIssues: FieldIssue[] = [];
    for (const field of wait.fields) {
      const file = raw[field.name];
      if (!(file instanceof File)) continue;
      if (field.maxSizeBytes !== undefined && file.size > field.maxSizeBytes)
        fileIssues.push({ path: `values.${field.name}`, rule: 'maxSizeBytes', message: 'the file is too large' });
      else if (field.accept && !field.accept.some((type) => mimeMatches(type, file.type)))
        fileIssues.push({ path: `values.${field.name}`, rule: 'accept', message: 'this type of file is not accepted' });
    }
    const { values, issues } = checkValues(
      wait.fields,
      Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v instanceof File ? 'pending-upload' : v])),
    );
    if (issues.length > 0 || fileIssues.length > 0) {
      this.showIssues([...fileIssues, ...issues]);
      this.focusFirstError();
      return;
    }
    try {
      for (const field of wait.fields) {
        const file = raw[field.name];
        if (file instanceof File)
          values[field.name] = (await this.chat!.upload(wait.executionId, field.name, file, file.name)).id;
      }
    } catch (error) {
      if (error instanceof ComerixError && error.status >= 413 && error.status <= 422) {
        const field = wait.fields.find((f) => raw[f.name] instanceof File);
        this.showIssues(
          error.fields.length
            ? error.fields
            : [{ path: `values.${field?.name}`, rule: error.code, message: error.message }],
        );
        return;
      }
      await this.fail(error);
      return;
    }
    await this.resume(values, summarize(values, wait.fields, raw));
  }

  private showIssues(issues: readonly FieldIssue[]): void {
    this.fieldErrors.clear();
    for (const issue of issues) if (!this.fieldErrors.has(issue.path)) this.fieldErrors.set(issue.path, issue.message);
    this.requestUpdate();
  }

  private focusFirstError(): void {
    void this.updateComplete.then(() => {
      (this.renderRoot.querySelector('form [aria-invalid="true"]') as HTMLElement | null)?.focus();
    });
  }

  // ---- problems, status, events, telemetry ------------------------------------------------------------------------

  private async fail(error: unknown): Promise<void> {
    const problem = await classify(error, () => this.reachable());
    if (problem.kind === 'config') {
      console.error(
        `[comerix-chat] No session: this page's origin ${location.origin} is probably not an allowed origin of widget key ${this.publicKey} (a refused origin gets no CORS headers, so the browser hides the answer). Add the origin to the key's allowed origins.`,
      );
    }
    if (problem.kind === 'session_ended') {
      this.chat = undefined;
      saveConversation(this.publicKey!, undefined);
    }
    this.problem = problem;
    this.setStatus(`problem:${problem.kind}`);
    this.emit('comerix:error', { ...problem });
    this.requestUpdate();
  }

  /** Whether the server answers at all (an opaque no-cors request needs no CORS headers to succeed). */
  private async reachable(): Promise<boolean> {
    try {
      await fetch(`${(this.apiBase ?? SCRIPT_ORIGIN).replace(/\/+$/, '')}/healthz`, {
        mode: 'no-cors',
        cache: 'no-store',
      });
      return true;
    } catch {
      return false;
    }
  }

  private async retry(): Promise<void> {
    const kind = this.problem?.kind;
    this.problem = undefined;
    this.requestUpdate();
    if (!this.chat || kind === 'session_ended') await this.start();
  }

  private setStatus(status: string, executionId?: string): void {
    this.status = status;
    this.dataset.status = status;
    this.emit('comerix:status', { status, ...(executionId ? { executionId } : {}) });
    this.requestUpdate();
  }

  private setOpen(open: boolean): void {
    if (this.open === open) return;
    this.open = open;
    if (this.chat && this.publicKey) {
      saveConversation(this.publicKey, {
        conversationId: this.chat.conversationId,
        conversationToken: this.chat.conversationToken,
        open,
      });
    }
    if (open) this.openedAt = Date.now();
    this.track(
      open ? 'widget_open' : 'widget_close',
      open ? {} : { durationMs: Math.max(0, Date.now() - this.openedAt) },
    );
    this.emit(open ? 'comerix:open' : 'comerix:close', {});
    if (open && !this.greeted && this.appearance.greeting && this.entries.length === 0) {
      this.greeted = true;
      this.addEntry({ kind: 'note', key: 'greeting', text: this.appearance.greeting });
    }
    this.requestUpdate();
    void this.updateComplete.then(() => {
      const target = open ? '.panel .close' : '.launcher';
      (this.renderRoot.querySelector(target) as HTMLElement | null)?.focus();
    });
  }

  private addEntry(entry: Entry): void {
    this.entries = [...this.entries, entry];
    this.requestUpdate();
  }

  private track(type: string, properties: Record<string, unknown> = {}): void {
    this.client?.telemetry.track(type, { ...properties, ...(this.pageType ? { pageType: this.pageType } : {}) });
  }

  private emit(type: string, detail: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // ---- rendering --------------------------------------------------------------------------------------------------

  override render() {
    const launcher = this.appearance.launcherLabel ?? 'Chat with us';
    if (!this.open && !this.inline) {
      return html`<button class="launcher" aria-expanded="false" aria-controls="cx-panel"
        @click=${() => void this.start()}>${launcher}</button>`;
    }
    return html`
      <section class="panel" id="cx-panel" role="dialog" aria-label=${this.label}
        @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && !this.inline && this.setOpen(false)}>
        <header>
          <h2>${this.label}</h2>
          ${
            this.inline
              ? nothing
              : html`<button class="close" aria-label="Close chat" @click=${() => this.setOpen(false)}>×</button>`
          }
        </header>
        <div class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label="Conversation">
          ${repeat(
            this.entries,
            (entry) => entry.key,
            (entry) => this.renderEntry(entry),
          )}
        </div>
        ${this.renderProgress()} ${this.renderProblem()} ${this.renderQuick()} ${this.renderComposer()}
      </section>
      ${
        this.inline
          ? nothing
          : html`<button class="launcher" aria-expanded="true" aria-controls="cx-panel" @click=${() => this.setOpen(false)}>
            ${launcher}
          </button>`
      }
    `;
  }

  private renderEntry(entry: Entry) {
    switch (entry.kind) {
      case 'user':
        return html`<div class="bubble user"><span class="sr-only">You: </span>${entry.text}</div>`;
      case 'note':
        return html`<div class="bubble bot text greeting">${entry.text}</div>`;
      case 'stream':
        return html`<div class="bubble bot streaming" data-block-id=${entry.key} aria-busy="true">${entry.text}</div>`;
      case 'bot':
        return html`<div class="entry" data-block-type=${entry.block.type} data-block-id=${entry.block.id}>
          ${renderBlock(entry.block, this.blockContext)}
        </div>`;
    }
  }

  private renderProgress() {
    if (this.status === 'connecting') return html`<div class="progress" role="status">Connecting…</div>`;
    if (!this.busy && !this.sending) return nothing;
    return html`<div class="progress" role="status" data-progress=${this.busy ? 'waiting_time' : 'sending'}>
      <span>${this.busy ? 'Working on it…' : 'Sending…'}</span><span class="bar" aria-hidden="true"></span>
    </div>`;
  }

  private renderProblem() {
    const problem = this.problem;
    if (!problem) return nothing;
    const canRetry =
      problem.kind === 'offline' ||
      problem.kind === 'rate_limited' ||
      problem.kind === 'error' ||
      problem.kind === 'session_ended';
    return html`<div class="problem" role="alert" data-problem=${problem.kind} data-code=${problem.code}>
      <div>${problemText(problem, location.origin)}</div>
      ${
        canRetry
          ? html`<button type="button" class="submit" @click=${() => void this.retry()}>
            ${problem.kind === 'session_ended' ? 'Start a new conversation' : 'Try again'}
          </button>`
          : nothing
      }
    </div>`;
  }

  private renderQuick() {
    if (this.problem?.kind === 'config' || this.problem?.kind === 'revoked') return nothing;
    if (this.quickQuestions.length === 0 || this.waiting || this.busy) return nothing;
    return html`<div class="quick" role="group" aria-label="Suggested questions">
      ${this.quickQuestions.map(
        (q) => html`<button type="button" class="chip" ?disabled=${this.sending || !q.intentName}
          @click=${() => {
            this.track('quick_question_clicked', {
              questionId: q.id,
              ...(q.intentName ? { intentName: q.intentName } : {}),
            });
            if (q.intentName) void this.trigger(q.intentName, q.text);
          }}>${q.text}</button>`,
      )}
    </div>`;
  }

  private renderComposer() {
    if (!this.chat || this.intents.length === 0) return nothing;
    return html`<form class="composer" @submit=${(e: Event) => {
      e.preventDefault();
      const form = e.currentTarget as HTMLFormElement;
      const input = form.elements.namedItem('text') as HTMLInputElement;
      const intent = (form.elements.namedItem('intent') as HTMLSelectElement).value;
      if (!intent) return;
      void this.trigger(
        intent,
        input.value.trim() || this.intents.find((i) => i.name === intent)?.description || intent,
      );
      input.value = '';
    }}>
      <select name="intent" aria-label="Topic">
        ${this.intents.map((i) => html`<option value=${i.name}>${i.description || i.name}</option>`)}
      </select>
      <input name="text" aria-label="Message" placeholder="Type a message" autocomplete="off" ?disabled=${this.sending} />
      <button class="send" ?disabled=${this.sending || this.busy}>Send</button>
    </form>`;
  }
}

function mimeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** What the visitor answered, as a bubble: option labels for choices, "(file)" names for uploads. */
function summarize(values: Record<string, unknown>, fields?: readonly Field[], raw?: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const field = fields?.find((f) => f.name === name);
      if (field?.type === 'hidden') return '';
      const file = raw?.[name];
      if (file instanceof File) return file.name;
      const label = (v: unknown) => field?.options?.find((o) => o.value === v)?.label ?? String(v);
      if (Array.isArray(value)) return value.map(label).join(', ');
      if (typeof value === 'boolean') return `${field?.label ?? name}: ${value ? 'yes' : 'no'}`;
      return label(value);
    })
    .filter(Boolean)
    .join(' · ');
}
