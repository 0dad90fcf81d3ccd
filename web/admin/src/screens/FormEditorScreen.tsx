import { type FormEvent, useState } from 'react';
import { api, type FormDetailView } from '../api/client.js';
import { FieldEditor } from '../forms/FieldEditor.js';
import { FormPreview } from '../forms/FormPreview.js';
import { FIELD_TYPES, type FieldType, type FormDef, formFileOf, newField } from '../forms/formTypes.js';
import { Submissions } from '../forms/Submissions.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { hrefOf } from '../ui/useHashRoute.js';
import { useLoad } from '../ui/useLoad.js';

const BLANK: FormDef = { code: '', title: '', fields: [] };

/** `#/forms/new` builds a form from nothing; `#/forms/<id>` edits one's draft, publishes it, lists submissions. */
export default function FormEditorScreen({ formId }: { formId: string }) {
  const isNew = formId === 'new';
  const [form, reload] = useLoad<FormDetailView | null>(
    () =>
      isNew
        ? Promise.resolve({ data: null, response: new Response(null, { status: 200 }) })
        : api.GET('/api/admin/v1/forms/{id}', { params: { path: { id: formId } } }),
    [formId],
  );
  if (form.state === 'loading') return <Loading what="the form" />;
  if (form.state === 'error') return <ErrorState problem={form.problem} retry={reload} />;
  return <Builder detail={form.data} />;
}

function Builder({ detail }: { detail: FormDetailView | null }) {
  const { canEdit } = useSession();
  const [form, setForm] = useState<FormDef>(() => (detail ? (detail.draft as unknown as FormDef) : BLANK));
  const [addType, setAddType] = useState<FieldType>('text');
  const [tab, setTab] = useState<'build' | 'submissions'>('build');
  const [notice, setNotice] = useState<string | undefined>();
  const [publishedVersion, setPublishedVersion] = useState(detail?.published?.version);
  const save = useAction();
  const publish = useAction();
  const set = <K extends keyof FormDef>(key: K, value: FormDef[K]) => {
    setNotice(undefined);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const setFields = (fields: FormDef['fields']) => set('fields', fields);

  async function saveDraft(): Promise<string | undefined> {
    const saved = await save.run(() => api.POST('/api/admin/v1/forms', { body: formFileOf(form) as never }));
    if (!saved) return undefined;
    setNotice('Draft saved.');
    return saved.id;
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    const id = await saveDraft();
    // A new form has an id now: its own screen (with submissions) takes over.
    if (id && !detail) window.location.hash = hrefOf({ screen: 'form', id });
  }

  async function onPublish() {
    const id = await saveDraft();
    if (!id) return;
    const published = await publish.run(() =>
      api.POST('/api/admin/v1/forms/{id}/publish', { params: { path: { id } } }),
    );
    if (published) {
      setNotice(`Published version ${published.version}.`);
      setPublishedVersion(published.version);
      if (!detail) window.location.hash = hrefOf({ screen: 'form', id });
    }
  }

  const published = detail?.published?.definition as unknown as FormDef | undefined;
  return (
    <section aria-labelledby="form-title" className="page">
      <div className="editor-bar">
        <h1 id="form-title">{detail ? `Form ${detail.code}` : 'New form'}</h1>
        {detail ? (
          publishedVersion !== undefined ? (
            <span className="badge ok">published v{publishedVersion}</span>
          ) : (
            <span className="badge">draft</span>
          )
        ) : null}
        <span className="spacer" />
        {detail ? (
          <div role="tablist" aria-label="Form views">
            <button type="button" role="tab" aria-selected={tab === 'build'} onClick={() => setTab('build')}>
              Builder
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'submissions'}
              onClick={() => setTab('submissions')}
            >
              Submissions
            </button>
          </div>
        ) : null}
      </div>
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      <FormProblem problem={save.problem ?? publish.problem} />
      {tab === 'submissions' && detail ? (
        <Submissions formId={detail.id} fields={published?.fields ?? form.fields} />
      ) : (
        <div className="split">
          <form onSubmit={(e) => void onSave(e)} aria-label="Form builder" className="builder">
            <fieldset disabled={!canEdit}>
              <legend>Form</legend>
              <div className="grid2">
                <label>
                  Code
                  <input
                    value={form.code}
                    readOnly={detail !== null}
                    placeholder="contact"
                    onChange={(e) => set('code', e.target.value)}
                  />
                  <FieldError problem={save.problem} path="code" />
                </label>
                <label>
                  Title
                  <input value={form.title} onChange={(e) => set('title', e.target.value)} />
                  <FieldError problem={save.problem} path="title" />
                </label>
                <label>
                  Submit button label
                  <input value={form.submitLabel ?? ''} onChange={(e) => set('submitLabel', e.target.value)} />
                  <FieldError problem={save.problem} path="submitLabel" />
                </label>
                <label>
                  Confirmation message
                  <input
                    value={form.confirmation?.message ?? ''}
                    onChange={(e) => set('confirmation', { ...form.confirmation, message: e.target.value })}
                  />
                  <FieldError problem={save.problem} path="confirmation" />
                </label>
                <label>
                  Redirect after sending (URL, optional)
                  <input
                    value={form.confirmation?.redirectUrl ?? ''}
                    onChange={(e) => set('confirmation', { ...form.confirmation, redirectUrl: e.target.value })}
                  />
                </label>
              </div>
            </fieldset>
            <FieldError problem={save.problem} path="fields" exact />
            {form.fields.map((field, i) => (
              <FieldEditor
                // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place by position; names change.
                key={i}
                field={field}
                index={i}
                count={form.fields.length}
                problem={save.problem}
                readOnly={!canEdit}
                onChange={(next) => setFields(form.fields.map((f, j) => (j === i ? next : f)))}
                onMove={(by) => {
                  const next = [...form.fields];
                  const [moved] = next.splice(i, 1);
                  next.splice(i + by, 0, moved!);
                  setFields(next);
                }}
                onRemove={() => setFields(form.fields.filter((_, j) => j !== i))}
              />
            ))}
            {canEdit ? (
              <>
                <div className="filters">
                  <label>
                    New field type
                    <select value={addType} onChange={(e) => setAddType(e.target.value as FieldType)}>
                      {FIELD_TYPES.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="button" onClick={() => setFields([...form.fields, newField(form.fields, addType)])}>
                    Add field
                  </button>
                </div>
                <div className="actions">
                  <button type="submit" disabled={save.busy}>
                    Save draft
                  </button>
                  <button type="button" onClick={() => void onPublish()} disabled={save.busy || publish.busy}>
                    Publish
                  </button>
                </div>
              </>
            ) : null}
          </form>
          <FormPreview form={form} />
        </div>
      )}
    </section>
  );
}
