import { type FormEvent, useState } from 'react';
import type { ApiProblem, WidgetKey, WidgetKeyBody } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';

type RateLimits = NonNullable<WidgetKeyBody['rateLimits']>;

/** What the form edits; the same body creates a key (POST) or changes one (PATCH). */
export interface KeyDraft {
  label: string;
  widgetLabel: string;
  origins: string;
  allIntents: boolean;
  intents: string[];
  allForms: boolean;
  forms: string[];
  allowServerSide: boolean;
  sessionTtlSeconds: string;
  rateLimits: string;
}

export function draftOf(key?: WidgetKey): KeyDraft {
  return {
    label: key?.label ?? '',
    widgetLabel: key?.widgetLabel ?? '',
    origins: key?.origins.join('\n') ?? '',
    allIntents: key?.allIntents ?? false,
    intents: key?.intents ?? [],
    allForms: key?.allForms ?? false,
    forms: key?.forms ?? [],
    allowServerSide: key?.allowServerSide ?? false,
    sessionTtlSeconds: key ? String(key.sessionTtlSeconds) : '',
    rateLimits: key && Object.keys(key.rateLimits).length > 0 ? JSON.stringify(key.rateLimits, null, 2) : '',
  };
}

/**
 * The request body of a draft: only what the admin filled in, so the service's defaults (TTL, rate limits) apply
 * as they do for `comerix widget-key:create` with the same flags. An unparsable rate-limit JSON is reported on its
 * field before anything is sent.
 */
export function bodyOf(draft: KeyDraft): WidgetKeyBody | { problem: ApiProblem } {
  let rateLimits: RateLimits | undefined;
  if (draft.rateLimits.trim()) {
    try {
      rateLimits = JSON.parse(draft.rateLimits) as RateLimits;
    } catch {
      const message = 'not valid JSON: {"bucket": {"max": 10, "windowSeconds": 60}}';
      return {
        problem: {
          code: 'invalid_request',
          status: 0,
          message: 'The rate limits are not valid JSON.',
          details: { fields: [{ path: 'rateLimits', rule: 'json', message }] },
        },
      };
    }
  }
  const origins = draft.origins
    .split(/\s+/)
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    label: draft.label,
    ...(draft.widgetLabel.trim() ? { widgetLabel: draft.widgetLabel.trim() } : {}),
    origins,
    ...(draft.allIntents ? { allIntents: true } : { intents: draft.intents }),
    ...(draft.allForms ? { allForms: true } : draft.forms.length > 0 ? { forms: draft.forms } : {}),
    ...(draft.allowServerSide ? { allowServerSide: true } : {}),
    ...(draft.sessionTtlSeconds.trim() ? { sessionTtlSeconds: Number(draft.sessionTtlSeconds) } : {}),
    ...(rateLimits ? { rateLimits } : {}),
  };
}

export function KeyForm({
  initial,
  intents,
  forms,
  submitLabel,
  busy,
  problem,
  onSubmit,
  onCancel,
}: {
  initial: KeyDraft;
  intents: string[];
  forms: string[];
  submitLabel: string;
  busy: boolean;
  problem: ApiProblem | undefined;
  onSubmit: (draft: KeyDraft) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const set = <K extends keyof KeyDraft>(name: K, value: KeyDraft[K]) => setDraft((d) => ({ ...d, [name]: value }));
  const toggle = (list: 'intents' | 'forms', value: string, on: boolean) =>
    setDraft((d) => ({ ...d, [list]: on ? [...d[list], value] : d[list].filter((v) => v !== value) }));
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(draft);
  }
  return (
    <form className="card" onSubmit={submit} aria-label={submitLabel}>
      <FormProblem problem={problem} />
      <div className="grid2">
        <label>
          Label
          <input value={draft.label} onChange={(e) => set('label', e.target.value)} aria-describedby="key-label-err" />
          <FieldError problem={problem} path="label" id="key-label-err" />
        </label>
        <label>
          Label shown in the widget (optional)
          <input value={draft.widgetLabel} onChange={(e) => set('widgetLabel', e.target.value)} />
          <FieldError problem={problem} path="widgetLabel" />
        </label>
      </div>
      <label>
        Allowed origins (one per line)
        <textarea
          rows={2}
          value={draft.origins}
          placeholder="https://shop.example"
          onChange={(e) => set('origins', e.target.value)}
          aria-describedby="key-origins-err"
        />
        <FieldError problem={problem} path="origins" id="key-origins-err" />
      </label>
      <fieldset>
        <legend>Intents</legend>
        <label className="check">
          <input type="checkbox" checked={draft.allIntents} onChange={(e) => set('allIntents', e.target.checked)} />
          All intents (present and future)
        </label>
        {draft.allIntents ? null : (
          <div className="checks">
            {intents.length === 0 ? <span className="muted">No flows yet: import one first.</span> : null}
            {intents.map((name) => (
              <label className="check" key={name}>
                <input
                  type="checkbox"
                  checked={draft.intents.includes(name)}
                  onChange={(e) => toggle('intents', name, e.target.checked)}
                />
                {name}
              </label>
            ))}
          </div>
        )}
        <FieldError problem={problem} path="intents" />
        <FieldError problem={problem} path="allIntents" />
      </fieldset>
      <fieldset>
        <legend>Forms</legend>
        <label className="check">
          <input type="checkbox" checked={draft.allForms} onChange={(e) => set('allForms', e.target.checked)} />
          All forms
        </label>
        {draft.allForms ? null : (
          <div className="checks">
            {forms.map((code) => (
              <label className="check" key={code}>
                <input
                  type="checkbox"
                  checked={draft.forms.includes(code)}
                  onChange={(e) => toggle('forms', code, e.target.checked)}
                />
                {code}
              </label>
            ))}
          </div>
        )}
        <FieldError problem={problem} path="forms" />
      </fieldset>
      <div className="grid2">
        <label>
          Session lifetime (seconds; empty: the default)
          <input
            type="number"
            value={draft.sessionTtlSeconds}
            onChange={(e) => set('sessionTtlSeconds', e.target.value)}
          />
          <FieldError problem={problem} path="sessionTtlSeconds" />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.allowServerSide}
            onChange={(e) => set('allowServerSide', e.target.checked)}
          />
          Allow server-side callers (no Origin header)
        </label>
      </div>
      <label>
        Rate limits (JSON by bucket; empty: the defaults)
        <textarea
          className="code"
          rows={2}
          value={draft.rateLimits}
          placeholder='{"messages": {"max": 30, "windowSeconds": 60}}'
          onChange={(e) => set('rateLimits', e.target.value)}
        />
        <FieldError problem={problem} path="rateLimits" />
      </label>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
