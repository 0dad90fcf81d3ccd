import { type FormEvent, useState } from 'react';
import { api, type ConfigSection } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { Empty } from '../ui/States.js';
import { useAction } from '../ui/useAction.js';

/** Config sections other than `appearance` (e.g. `behavior`, `consent`): JSON objects, public or not. */
export function ConfigSectionsPanel({
  sections,
  canEdit,
  onSaved,
}: {
  sections: ConfigSection[];
  canEdit: boolean;
  onSaved: () => void;
}) {
  const others = sections.filter((s) => s.section !== 'appearance');
  const [name, setName] = useState('');
  const [values, setValues] = useState('{}');
  const [isPublic, setIsPublic] = useState(true);
  const save = useAction();

  function edit(section: ConfigSection) {
    save.clear();
    setName(section.section);
    setValues(JSON.stringify(section.values, null, 2));
    setIsPublic(section.isPublic);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(values);
    } catch {
      return save.fail({
        code: 'invalid_request',
        status: 0,
        message: 'The values are not valid JSON.',
        details: { fields: [{ path: 'values', rule: 'json', message: 'not valid JSON' }] },
      });
    }
    const done = await save.run(() =>
      api.PUT('/api/admin/v1/config/{section}', {
        params: { path: { section: name } },
        body: { values: parsed as Record<string, unknown>, isPublic },
      }),
    );
    if (done) onSaved();
  }

  return (
    <section aria-labelledby="sections-title" className="panel">
      <h2 id="sections-title">Other config sections</h2>
      {others.length === 0 ? <Empty>No other sections.</Empty> : null}
      <ul className="plain">
        {others.map((s) => (
          <li key={s.section}>
            <code>{s.section}</code> <span className="badge">{s.isPublic ? 'public' : 'private'}</span>{' '}
            <span className="muted">{Object.keys(s.values).join(', ')}</span>{' '}
            {canEdit ? (
              <button type="button" onClick={() => edit(s)}>
                Edit {s.section}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {canEdit ? (
        <form className="card" onSubmit={(e) => void submit(e)} aria-label="Set config section">
          <FormProblem problem={save.problem} />
          <label>
            Section name
            <input required value={name} placeholder="behavior" onChange={(e) => setName(e.target.value)} />
            <FieldError problem={save.problem} path="section" />
          </label>
          <label>
            Values (JSON object)
            <textarea className="code" rows={4} value={values} onChange={(e) => setValues(e.target.value)} />
            <FieldError problem={save.problem} path="values" />
          </label>
          <label className="check">
            <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} />
            Public (widgets may read it with <code>GET /config/{'{section}'}</code>)
          </label>
          <button type="submit" disabled={save.busy}>
            Save section
          </button>
        </form>
      ) : null}
    </section>
  );
}
