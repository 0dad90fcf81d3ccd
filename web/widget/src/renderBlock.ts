// One block of DESIGN §5 as a Lit template. Server text is always bound as text (Lit escapes it); markdown goes
// through renderMarkdown, which builds DOM nodes with textContent; every URL passes safeHref first.
import { html, nothing, type TemplateResult } from 'lit';
import { renderForm } from './renderForm.js';
import { safeHref } from './safeHref.js';
import type { Block, CardBody, Field } from './types.js';

/** What a block needs from the widget: whether it is the one the execution waits on, and how to answer. */
export interface BlockContext {
  /** The block is the answer the current input wait expects (its buttons and form are live). */
  isActive(block: Block): boolean;
  /** The wait's fields (the authority for a live form or choice). */
  waitFields(): readonly Field[];
  /** A button, quick reply or card action with a value was chosen. */
  choose(block: Block, value: string, label: string): void;
  submit(block: Block, form: HTMLFormElement): void;
  /** Field problems by path (`values.email`), client-side or from a 422. */
  fieldErrors: ReadonlyMap<string, string>;
  /** The block's markdown, rendered once and kept. */
  markdown(block: Block & { text: string }): HTMLElement;
  /** A link or card action was followed (telemetry). */
  clicked(block: Block, label: string): void;
}

export function renderBlock(block: Block, ctx: BlockContext): TemplateResult | typeof nothing {
  switch (block.type) {
    case 'text':
      return html`<div class="bubble bot text">${block.text}</div>`;
    case 'markdown':
      return html`<div class="bubble bot markdown">${ctx.markdown(block)}</div>`;
    case 'image': {
      const src = safeHref(block.url);
      return src
        ? html`<figure class="bubble bot image"><img src=${src} alt=${block.alt ?? ''} loading="lazy"
            referrerpolicy="no-referrer" /></figure>`
        : nothing;
    }
    case 'buttons':
    case 'quick_replies':
      return renderChoice(block, ctx);
    case 'form':
      return renderForm(block, ctx);
    case 'card':
      return html`<div class="bot card-row">${renderCard(block, block, ctx)}</div>`;
    case 'carousel':
      return html`<div class="bot carousel" role="group" aria-label="Cards" tabindex="0">
        ${block.cards.map((card) => renderCard(block, card, ctx))}
      </div>`;
    case 'product':
      return renderProduct(block, ctx);
    case 'link': {
      const href = safeHref(block.url, 'link');
      return href
        ? html`<div class="bubble bot link">
            <a href=${href} target="_blank" rel="noopener noreferrer" @click=${() => ctx.clicked(block, block.text ?? href)}
              >${block.text ?? block.url}</a
            >
          </div>`
        : nothing;
    }
    case 'file': {
      const href = safeHref(block.url);
      const name = block.name ?? fileName(block.url);
      return href
        ? html`<div class="bubble bot file">
            <a href=${href} target="_blank" rel="noopener noreferrer" download=${name}
              @click=${() => ctx.clicked(block, name)}>⤓ ${name}</a>
          </div>`
        : nothing;
    }
    case 'typing':
      return html`<div class="bubble bot typing" role="status" aria-label="Typing">
        <span></span><span></span><span></span>
      </div>`;
    case 'handoff':
      return html`<div class="bubble bot handoff" role="note">
        <strong>A person will take over.</strong>
        ${block.message ? html`<div>${block.message}</div>` : nothing}
        ${block.queue ? html`<div class="muted">Team: ${block.queue}</div>` : nothing}
      </div>`;
    case 'error':
      // `message` is for developers (docs/blocks.md): the visitor gets our own words, the code goes in an attribute.
      return html`<div class="bubble bot error" role="alert" data-code=${block.code}>
        Sorry, something went wrong on our side. Please try again.
      </div>`;
    default:
      // A block type newer than this widget: skipped, as the contract asks.
      return nothing;
  }
}

function renderChoice(block: Extract<Block, { type: 'buttons' | 'quick_replies' }>, ctx: BlockContext) {
  const live = ctx.isActive(block);
  return html`<div class="bot choice ${block.type}">
    ${block.text ? html`<div class="bubble bot text">${block.text}</div>` : nothing}
    <div class="options" role="group" aria-label=${block.text ?? 'Choices'}>
      ${block.options.map(
        (option) =>
          html`<button type="button" class="option" ?disabled=${!live}
            @click=${() => ctx.choose(block, option.value, option.label)}>${option.label}</button>`,
      )}
    </div>
  </div>`;
}

function renderCard(block: Block, card: CardBody, ctx: BlockContext) {
  const image = safeHref(card.image);
  const live = ctx.isActive(block) || liveValues(ctx).size > 0;
  return html`<article class="card">
    ${image ? html`<img src=${image} alt="" loading="lazy" referrerpolicy="no-referrer" />` : nothing}
    <div class="card-body">
      <h3>${card.title}</h3>
      ${card.text ? html`<p>${card.text}</p>` : nothing}
      <div class="actions">
        ${(card.actions ?? []).map((action) => {
          if ('url' in action) {
            const href = safeHref(action.url, 'link');
            return href
              ? html`<a class="action" href=${href} target="_blank" rel="noopener noreferrer"
                  @click=${() => ctx.clicked(block, action.label)}>${action.label}</a>`
              : nothing;
          }
          // A value action answers only a wait that offers that value (docs/blocks.md "Card actions").
          const answers = live && liveValues(ctx).has(action.value);
          return html`<button type="button" class="action" ?disabled=${!answers}
            @click=${() => ctx.choose(block, action.value, action.label)}>${action.label}</button>`;
        })}
      </div>
    </div>
  </article>`;
}

function liveValues(ctx: BlockContext): Set<string> {
  const field = ctx.waitFields()[0];
  return new Set(field?.type === 'select' ? (field.options ?? []).map((o) => o.value) : []);
}

function renderProduct(block: Extract<Block, { type: 'product' }>, ctx: BlockContext) {
  const image = safeHref(block.image);
  const href = safeHref(block.url);
  return html`<article class="bot product card">
    ${image ? html`<img src=${image} alt="" loading="lazy" referrerpolicy="no-referrer" />` : nothing}
    <div class="card-body">
      <h3>${block.title}</h3>
      <p class="price">${formatPrice(block.price, block.currency)}</p>
      <p class="muted">SKU ${block.sku}</p>
      ${
        href
          ? html`<a class="action" href=${href} target="_blank" rel="noopener noreferrer"
            @click=${() => ctx.clicked(block, block.title)}>View product</a>`
          : nothing
      }
    </div>
  </article>`;
}

/** The price is a decimal string: Intl formats it exactly (a string is not turned into a float first). */
export function formatPrice(price: string, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return (format.format as (value: string) => string)(price);
  } catch {
    return `${price} ${currency}`;
  }
}

function fileName(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : 'file';
  } catch {
    return 'file';
  }
}
