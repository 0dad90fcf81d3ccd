import type { FieldDef, FormDef } from './formTypes.js';

/** The form as a visitor sees it, from the draft being edited: inert (nothing is sent from here). */
export function FormPreview({ form }: { form: FormDef }) {
  return (
    <figure className="form-preview" aria-label="Form preview">
      <form onSubmit={(e) => e.preventDefault()} aria-label={`Preview of ${form.title || 'the form'}`}>
        <h3>{form.title || 'Untitled form'}</h3>
        {form.fields.map((field) => (
          <PreviewField key={field.name} field={field} />
        ))}
        <button type="submit" disabled>
          {form.submitLabel || 'Submit'}
        </button>
      </form>
      {form.confirmation?.message ? <p className="muted">After sending: “{form.confirmation.message}”</p> : null}
      <figcaption className="muted">Preview of the draft</figcaption>
    </figure>
  );
}

function PreviewField({ field }: { field: FieldDef }) {
  const label = `${field.label}${field.required ? ' *' : ''}`;
  const common = {
    name: field.name,
    required: field.required ?? false,
    ...(field.placeholder ? { placeholder: field.placeholder } : {}),
  };
  switch (field.type) {
    case 'hidden':
      return (
        <p className="muted">
          Hidden field {field.name}
          {field.default ? ` = ${field.default}` : ''}
        </p>
      );
    case 'textarea':
      return (
        <label>
          {label}
          <textarea {...common} minLength={field.minLength} maxLength={field.maxLength} />
        </label>
      );
    case 'select':
      return (
        <label>
          {label}
          <select {...common}>
            <option value="">{field.placeholder ?? 'Choose…'}</option>
            {(field.options ?? []).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      );
    case 'multiselect':
      return (
        <fieldset>
          <legend>{label}</legend>
          {(field.options ?? []).map((o) => (
            <label className="check" key={o.value}>
              <input type="checkbox" name={field.name} value={o.value} />
              {o.label}
            </label>
          ))}
        </fieldset>
      );
    case 'checkbox':
      return (
        <label className="check">
          <input type="checkbox" name={field.name} required={field.required ?? false} />
          {label}
        </label>
      );
    case 'file':
      return (
        <label>
          {label}
          <input type="file" name={field.name} accept={field.accept?.join(',')} />
          {field.maxSizeBytes ? <span className="muted">up to {field.maxSizeBytes} bytes</span> : null}
        </label>
      );
    default: {
      const type = { text: 'text', email: 'email', phone: 'tel', number: 'number', date: 'date' }[field.type];
      return (
        <label>
          {label}
          <input
            {...common}
            type={type}
            minLength={field.minLength}
            maxLength={field.maxLength}
            min={field.min}
            max={field.max}
          />
        </label>
      );
    }
  }
}
