import type { ApiProblem } from '../api/client.js';
import { FieldError } from '../ui/FieldError.js';
import { FIELD_TYPES, type FieldDef, type FieldType, RULES_BY_TYPE, type RuleKey, withType } from './formTypes.js';

const num = (value: string) => (value.trim() === '' ? undefined : Number(value));

/** One field of the form: the keys every field has, then the rules its type accepts; 422s beside each input. */
export function FieldEditor({
  field,
  index,
  count,
  problem,
  readOnly,
  onChange,
  onMove,
  onRemove,
}: {
  field: FieldDef;
  index: number;
  count: number;
  problem: ApiProblem | undefined;
  readOnly: boolean;
  onChange: (field: FieldDef) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const at = `fields[${index}]`;
  const rules = RULES_BY_TYPE[field.type];
  const set = <K extends keyof FieldDef>(key: K, value: FieldDef[K]) => onChange({ ...field, [key]: value });
  const has = (key: RuleKey) => rules.includes(key);
  const number = (key: 'minLength' | 'maxLength' | 'min' | 'max' | 'maxSizeBytes', label: string) => (
    <label>
      {label}
      <input type="number" value={field[key] ?? ''} onChange={(e) => set(key, num(e.target.value))} />
      <FieldError problem={problem} path={`${at}.${key}`} />
    </label>
  );
  return (
    <fieldset className="field-editor" disabled={readOnly} data-field={field.name}>
      <legend>
        Field {index + 1}: {field.label || field.name} <span className="badge">{field.type}</span>
      </legend>
      <FieldError problem={problem} path={at} exact />
      <div className="grid3">
        <label>
          Name
          <input value={field.name} onChange={(e) => set('name', e.target.value)} />
          <FieldError problem={problem} path={`${at}.name`} />
        </label>
        <label>
          Label
          <input value={field.label} onChange={(e) => set('label', e.target.value)} />
          <FieldError problem={problem} path={`${at}.label`} />
        </label>
        <label>
          Type
          <select value={field.type} onChange={(e) => onChange(withType(field, e.target.value as FieldType))}>
            {FIELD_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        {field.type === 'hidden' ? null : (
          <label>
            Placeholder
            <input value={field.placeholder ?? ''} onChange={(e) => set('placeholder', e.target.value || undefined)} />
            <FieldError problem={problem} path={`${at}.placeholder`} />
          </label>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={field.required ?? false}
            onChange={(e) => set('required', e.target.checked)}
          />
          Required
        </label>
        {has('minLength') ? number('minLength', 'Min length') : null}
        {has('maxLength') ? number('maxLength', 'Max length') : null}
        {has('pattern') ? (
          <label>
            Pattern (RE2 syntax)
            <input value={field.pattern ?? ''} onChange={(e) => set('pattern', e.target.value || undefined)} />
            <FieldError problem={problem} path={`${at}.pattern`} />
          </label>
        ) : null}
        {has('min') ? number('min', 'Min') : null}
        {has('max') ? number('max', 'Max') : null}
        {has('accept') ? (
          <label>
            Accepted types (comma separated)
            <input
              value={(field.accept ?? []).join(', ')}
              placeholder="application/pdf, image/*"
              onChange={(e) =>
                set(
                  'accept',
                  e.target.value
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean),
                )
              }
            />
            <FieldError problem={problem} path={`${at}.accept`} />
          </label>
        ) : null}
        {has('maxSizeBytes') ? number('maxSizeBytes', 'Max size (bytes)') : null}
        {has('default') ? (
          <label>
            Value (sent with every submission)
            <input value={field.default ?? ''} onChange={(e) => set('default', e.target.value || undefined)} />
            <FieldError problem={problem} path={`${at}.default`} />
          </label>
        ) : null}
      </div>
      {has('options') ? (
        <div className="options-editor">
          <p className="muted">Options (label shown, value stored)</p>
          <FieldError problem={problem} path={`${at}.options`} exact />
          {(field.options ?? []).map((option, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place by position.
            <div className="option-row" key={i}>
              <label>
                Option {i + 1} label
                <input
                  value={option.label}
                  onChange={(e) =>
                    set(
                      'options',
                      field.options!.map((o, j) => (j === i ? { ...o, label: e.target.value } : o)),
                    )
                  }
                />
              </label>
              <label>
                Option {i + 1} value
                <input
                  value={option.value}
                  onChange={(e) =>
                    set(
                      'options',
                      field.options!.map((o, j) => (j === i ? { ...o, value: e.target.value } : o)),
                    )
                  }
                />
              </label>
              <button
                type="button"
                aria-label={`Remove option ${i + 1}`}
                onClick={() =>
                  set(
                    'options',
                    field.options!.filter((_, j) => j !== i),
                  )
                }
              >
                ✕
              </button>
              <FieldError problem={problem} path={`${at}.options[${i}]`} />
            </div>
          ))}
          <button
            type="button"
            onClick={() => {
              const n = (field.options?.length ?? 0) + 1;
              set('options', [...(field.options ?? []), { label: `Option ${n}`, value: `option_${n}` }]);
            }}
          >
            Add option
          </button>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${field.name} up`}>
          ↑
        </button>
        <button
          type="button"
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={`Move ${field.name} down`}
        >
          ↓
        </button>
        <button type="button" className="danger" onClick={onRemove} aria-label={`Remove field ${field.name}`}>
          Remove field
        </button>
      </div>
    </fieldset>
  );
}
