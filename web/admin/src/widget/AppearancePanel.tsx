import { type FormEvent, useState } from 'react';
import { api, type ConfigSection } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { useAction } from '../ui/useAction.js';
import { type Appearance, WIDGET_DEFAULTS, WidgetPreview } from './WidgetPreview.js';

const COLOURS = [
  ['primary', 'Primary (launcher, header, your bubbles)'],
  ['background', 'Background (the panel)'],
  ['text', 'Text'],
  ['accent', 'Accent (buttons, links)'],
] as const;

/** Drops empty inputs, so a key left blank falls back to the widget's default instead of failing the schema. */
function compact(a: Appearance): Appearance {
  const colors = Object.fromEntries(Object.entries(a.colors ?? {}).filter(([, v]) => v));
  return {
    ...(Object.keys(colors).length > 0 ? { colors } : {}),
    ...(a.position ? { position: a.position } : {}),
    ...(a.greeting ? { greeting: a.greeting } : {}),
    ...(a.launcherLabel ? { launcherLabel: a.launcherLabel } : {}),
  };
}

/**
 * The `appearance` config section, edited field by field beside a live preview; the server checks it against the
 * one shared schema and its messages land on the field they name (`values.colors.primary`, …).
 */
export function AppearancePanel({
  section,
  quickQuestions,
  canEdit,
  onSaved,
}: {
  section: ConfigSection | undefined;
  quickQuestions: string[];
  canEdit: boolean;
  onSaved: () => void;
}) {
  const [draft, setDraft] = useState<Appearance>(() => (section?.values ?? {}) as Appearance);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const setColour = (name: string, value: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, colors: { ...d.colors, [name]: value } }));
  };
  const set = (name: 'greeting' | 'launcherLabel' | 'position', value: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [name]: value || undefined }));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await save.run(() =>
      api.PUT('/api/admin/v1/config/{section}', {
        params: { path: { section: 'appearance' } },
        body: { values: compact(draft) as Record<string, unknown>, isPublic: true },
      }),
    );
    if (done) {
      setSaved(true);
      onSaved();
    }
  }

  return (
    <section aria-labelledby="appearance-title" className="panel">
      <h2 id="appearance-title">Appearance</h2>
      <div className="split">
        <form onSubmit={(e) => void submit(e)} aria-label="Appearance">
          <FormProblem problem={save.problem} />
          <fieldset disabled={!canEdit}>
            <legend>Colours</legend>
            {COLOURS.map(([name, label]) => (
              <label key={name}>
                {label}
                <span className="colour-input">
                  <input
                    type="text"
                    value={draft.colors?.[name] ?? ''}
                    placeholder="#1a73e8"
                    aria-describedby={`colour-${name}-err`}
                    onChange={(e) => setColour(name, e.target.value)}
                  />
                  <input
                    type="color"
                    aria-label={`${name} colour picker`}
                    value={
                      /^#[0-9a-fA-F]{6}$/.test(draft.colors?.[name] ?? '') ? draft.colors![name] : WIDGET_DEFAULTS[name]
                    }
                    onChange={(e) => setColour(name, e.target.value)}
                  />
                </span>
                <FieldError problem={save.problem} path={`values.colors.${name}`} id={`colour-${name}-err`} />
              </label>
            ))}
          </fieldset>
          <fieldset disabled={!canEdit}>
            <legend>Panel</legend>
            <label>
              Launcher position
              <select value={draft.position ?? ''} onChange={(e) => set('position', e.target.value)}>
                <option value="">(widget default)</option>
                <option value="bottom-right">bottom-right</option>
                <option value="bottom-left">bottom-left</option>
              </select>
              <FieldError problem={save.problem} path="values.position" />
            </label>
            <label>
              Greeting
              <input value={draft.greeting ?? ''} onChange={(e) => set('greeting', e.target.value)} />
              <FieldError problem={save.problem} path="values.greeting" />
            </label>
            <label>
              Launcher label
              <input value={draft.launcherLabel ?? ''} onChange={(e) => set('launcherLabel', e.target.value)} />
              <FieldError problem={save.problem} path="values.launcherLabel" />
            </label>
          </fieldset>
          {canEdit ? (
            <button type="submit" disabled={save.busy}>
              Save appearance
            </button>
          ) : null}
          {saved ? (
            <span role="status" className="muted">
              {' '}
              Saved; widgets see it after the next publish.
            </span>
          ) : null}
        </form>
        <WidgetPreview appearance={compact(draft)} quickQuestions={quickQuestions} />
      </div>
    </section>
  );
}
