// A form block (an `ask` node's wait): one labelled input per field of DESIGN §8, each with its problem (from the
// browser's checks or the server's 422) tied to it by aria-describedby, so a screen reader reads both together.
import { html, nothing } from 'lit';
import type { BlockContext } from './renderBlock.js';
import type { Field, FormBlock } from './types.js';

export function renderForm(block: FormBlock & { id: string }, ctx: BlockContext) {
  const live = ctx.isActive(block);
  const base = `f-${block.id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  return html`<form class="bot form" novalidate data-block-id=${block.id}
    @submit=${(event: Event) => {
      event.preventDefault();
      if (live) ctx.submit(block, event.currentTarget as HTMLFormElement);
    }}>
    <fieldset ?disabled=${!live}>
      ${block.fields.map((field) => renderField(field, `${base}-${field.name}`, live ? ctx.fieldErrors : new Map()))}
      <button type="submit" class="submit">${block.submitLabel ?? 'Send'}</button>
    </fieldset>
  </form>`;
}

function renderField(field: Field, id: string, errors: ReadonlyMap<string, string>) {
  if (field.type === 'hidden') return nothing;
  const problem = errorFor(field.name, errors);
  const errorId = `${id}-error`;
  const describedBy = problem ? errorId : nothing;
  const invalid = problem ? 'true' : 'false';
  const label = html`${field.label}${field.required ? html`<span aria-hidden="true"> *</span>` : nothing}`;
  const message = problem ? html`<div class="field-error" id=${errorId}>${problem}</div>` : nothing;
  switch (field.type) {
    case 'textarea':
      return html`<div class="field"><label for=${id}>${label}</label>
        <textarea id=${id} name=${field.name} ?required=${field.required === true} placeholder=${field.placeholder ?? nothing}
          aria-invalid=${invalid} aria-describedby=${describedBy}></textarea>${message}</div>`;
    case 'select':
      return html`<div class="field"><label for=${id}>${label}</label>
        <select id=${id} name=${field.name} ?required=${field.required === true} aria-invalid=${invalid}
          aria-describedby=${describedBy}>
          <option value="">${field.placeholder ?? 'Choose…'}</option>
          ${(field.options ?? []).map((o) => html`<option value=${o.value}>${o.label}</option>`)}
        </select>${message}</div>`;
    case 'multiselect':
      return html`<fieldset class="field" aria-invalid=${invalid} aria-describedby=${describedBy}>
        <legend>${label}</legend>
        ${(field.options ?? []).map(
          (o, i) => html`<label class="inline"><input type="checkbox" name=${field.name} value=${o.value}
            id=${`${id}-${i}`} />${o.label}</label>`,
        )}${message}</fieldset>`;
    case 'checkbox':
      return html`<div class="field"><label class="inline"><input type="checkbox" id=${id} name=${field.name}
        aria-invalid=${invalid} aria-describedby=${describedBy} />${label}</label>${message}</div>`;
    case 'file':
      return html`<div class="field"><label for=${id}>${label}</label>
        <input type="file" id=${id} name=${field.name} accept=${field.accept?.join(',') ?? nothing}
          aria-invalid=${invalid} aria-describedby=${describedBy} />${message}</div>`;
    default: {
      const type = { email: 'email', phone: 'tel', number: 'number', date: 'date' }[field.type as string] ?? 'text';
      return html`<div class="field"><label for=${id}>${label}</label>
        <input id=${id} name=${field.name} type=${type} placeholder=${field.placeholder ?? nothing}
          ?required=${field.required === true} aria-invalid=${invalid} aria-describedby=${describedBy}
          inputmode=${field.type === 'number' ? 'decimal' : nothing} />${message}</div>`;
    }
  }
}

/** The problem for a field: `values.<name>`, or the first item's problem of a multiselect (`values.<name>[i]`). */
function errorFor(name: string, errors: ReadonlyMap<string, string>): string | undefined {
  const exact = errors.get(`values.${name}`);
  if (exact) return exact;
  for (const [path, message] of errors) if (path.startsWith(`values.${name}[`)) return message;
  return undefined;
}

/** The raw values of a form's inputs, by field name (numbers, checkboxes and lists coerced by checkValues later). */
export function readForm(form: HTMLFormElement, fields: readonly Field[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const field of fields) {
    const inputs = [...form.querySelectorAll<HTMLInputElement>(`[name="${CSS.escape(field.name)}"]`)];
    if (field.type === 'hidden') continue;
    if (field.type === 'multiselect') raw[field.name] = inputs.filter((i) => i.checked).map((i) => i.value);
    else if (field.type === 'checkbox') raw[field.name] = inputs[0]?.checked ?? false;
    else if (field.type === 'file') raw[field.name] = inputs[0]?.files?.[0];
    else raw[field.name] = inputs[0]?.value ?? '';
  }
  return raw;
}
