import { useState } from 'react';
import { api, type WidgetKey } from '../api/client.js';
import { FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';
import { bodyOf, draftOf, type KeyDraft, KeyForm } from './KeyForm.js';

/**
 * A PATCH that makes the key exactly what the form shows: the service keeps members left out, so switching to an
 * allow-list sends `allIntents: false`, and a rate limit removed from the JSON is sent as null (back to the default).
 */
function changeOf(draft: KeyDraft, key: WidgetKey) {
  const body = bodyOf(draft);
  if ('problem' in body) return body;
  const rateLimits: Record<string, { max: number; windowSeconds?: number } | null> = { ...body.rateLimits };
  for (const name of Object.keys(key.rateLimits)) if (!(name in rateLimits)) rateLimits[name] = null;
  return {
    ...body,
    widgetLabel: body.widgetLabel ?? null,
    allIntents: draft.allIntents,
    intents: draft.allIntents ? [] : draft.intents,
    allForms: draft.allForms,
    forms: draft.allForms ? [] : draft.forms,
    allowServerSide: draft.allowServerSide,
    rateLimits,
  };
}

export function WidgetKeysPanel({ canEdit, intents, forms }: { canEdit: boolean; intents: string[]; forms: string[] }) {
  const [keys, reload] = useLoad(() => api.GET('/api/admin/v1/widget-keys'), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const create = useAction();
  const update = useAction();
  const revoke = useAction();
  const [createdKey, setCreatedKey] = useState<string | undefined>();

  async function onCreate(draft: KeyDraft) {
    const body = bodyOf(draft);
    if ('problem' in body) return create.fail(body.problem);
    const created = await create.run(() => api.POST('/api/admin/v1/widget-keys', { body }));
    if (created) {
      setCreating(false);
      setCreatedKey(created.key);
      reload();
    }
  }

  async function onUpdate(draft: KeyDraft, key: WidgetKey) {
    const body = changeOf(draft, key);
    if ('problem' in body) return update.fail(body.problem);
    const changed = await update.run(() =>
      api.PATCH('/api/admin/v1/widget-keys/{id}', { params: { path: { id: key.id } }, body }),
    );
    if (changed) {
      setEditing(undefined);
      reload();
    }
  }

  async function onRevoke(id: string) {
    const done = await revoke.run(() =>
      api.POST('/api/admin/v1/widget-keys/{id}/revoke', { params: { path: { id } } }),
    );
    setConfirming(undefined);
    if (done) reload();
  }

  return (
    <section aria-labelledby="keys-title" className="panel">
      <div className="panel-head">
        <h2 id="keys-title">Widget keys</h2>
        {canEdit && !creating ? (
          <button type="button" onClick={() => setCreating(true)}>
            New key
          </button>
        ) : null}
      </div>
      {createdKey ? (
        <p role="status" className="notice">
          Key created: <code data-testid="created-key">{createdKey}</code> — put it in the widget’s{' '}
          <code>public-key</code>.
        </p>
      ) : null}
      {creating ? (
        <KeyForm
          initial={draftOf()}
          intents={intents}
          forms={forms}
          submitLabel="Create key"
          busy={create.busy}
          problem={create.problem}
          onSubmit={(d) => void onCreate(d)}
          onCancel={() => {
            setCreating(false);
            create.clear();
          }}
        />
      ) : null}
      <FormProblem problem={revoke.problem} />
      {keys.state === 'loading' ? <Loading what="widget keys" /> : null}
      {keys.state === 'error' ? <ErrorState problem={keys.problem} retry={reload} /> : null}
      {keys.state === 'ready' && keys.data.keys.length === 0 ? (
        <Empty>No widget keys yet: a widget needs one to open sessions.</Empty>
      ) : null}
      {keys.state === 'ready' && keys.data.keys.length > 0 ? (
        <div className="scroll">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Origins</th>
                <th scope="col">Intents</th>
                <th scope="col">Forms</th>
                <th scope="col">Session TTL</th>
                <th scope="col">Status</th>
                {canEdit ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((key) => (
                <KeyRow
                  key={key.id}
                  widgetKey={key}
                  canEdit={canEdit}
                  editing={editing === key.id}
                  confirming={confirming === key.id}
                  onEdit={() => {
                    update.clear();
                    setEditing(key.id);
                  }}
                  onCancelEdit={() => setEditing(undefined)}
                  onAskRevoke={() => setConfirming(key.id)}
                  onCancelRevoke={() => setConfirming(undefined)}
                  onRevoke={() => void onRevoke(key.id)}
                  editor={
                    <KeyForm
                      initial={draftOf(key)}
                      intents={intents}
                      forms={forms}
                      submitLabel="Save key"
                      busy={update.busy}
                      problem={update.problem}
                      onSubmit={(d) => void onUpdate(d, key)}
                      onCancel={() => setEditing(undefined)}
                    />
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function KeyRow(props: {
  widgetKey: WidgetKey;
  canEdit: boolean;
  editing: boolean;
  confirming: boolean;
  onEdit: () => void;
  onCancelEdit: () => void;
  onAskRevoke: () => void;
  onCancelRevoke: () => void;
  onRevoke: () => void;
  editor: React.ReactNode;
}) {
  const k = props.widgetKey;
  const active = k.status === 'active';
  return (
    <>
      <tr data-key-label={k.label}>
        <td>
          {k.label}
          {k.widgetLabel ? <div className="muted">{k.widgetLabel}</div> : null}
        </td>
        <td>
          <code>{k.key}</code>
        </td>
        <td>{k.origins.join(', ') || (k.allowServerSide ? 'server-side only' : '—')}</td>
        <td>{k.allIntents ? <em>all intents</em> : k.intents.join(', ')}</td>
        <td>{k.allForms ? <em>all forms</em> : k.forms.join(', ') || '—'}</td>
        <td>{k.sessionTtlSeconds} s</td>
        <td>
          <span className={active ? 'badge ok' : 'badge'}>{k.status}</span>
        </td>
        {props.canEdit ? (
          <td className="actions">
            {active && !props.confirming ? (
              <>
                <button type="button" onClick={props.editing ? props.onCancelEdit : props.onEdit}>
                  Edit
                </button>
                <button type="button" className="danger" onClick={props.onAskRevoke}>
                  Revoke
                </button>
              </>
            ) : null}
            {props.confirming ? (
              <fieldset className="confirm">
                <legend className="sr-only">{`Revoke ${k.label}?`}</legend>
                Its sessions stop at once.{' '}
                <button type="button" className="danger" onClick={props.onRevoke}>
                  Confirm revoke
                </button>{' '}
                <button type="button" onClick={props.onCancelRevoke}>
                  Keep
                </button>
              </fieldset>
            ) : null}
          </td>
        ) : null}
      </tr>
      {props.editing ? (
        <tr>
          <td colSpan={8}>{props.editor}</td>
        </tr>
      ) : null}
    </>
  );
}
