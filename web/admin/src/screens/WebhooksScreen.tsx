import { type FormEvent, useState } from 'react';
import { api, type CreatedWebhook, type WebhookEndpoint } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

// The event types of DESIGN §11 (src/wire/webhookSchemas.ts); the service refuses any other with its message.
const EVENT_TYPES = [
  'chat.session.created',
  'chat.execution.updated',
  'chat.execution.completed',
  'chat.handoff.requested',
  'form.submission.created',
  'conversion.created',
  'goal.reached',
  'report.ready',
];

/** The delivery log's entries as the admin API gives them (webhookService's view). */
interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponseStatus: number | null;
  redeliveryOf: string | null;
  createdAt: string;
  log: {
    attempt: number;
    outcome: string;
    startedAt: string;
    responseStatus: number | null;
    latencyMs: number | null;
    error: string | null;
  }[];
}

export default function WebhooksScreen() {
  const { canEdit } = useSession();
  const [endpoints, reload] = useLoad(() => api.GET('/api/admin/v1/webhooks'), []);
  const [logRound, setLogRound] = useState(0);
  const [created, setCreated] = useState<CreatedWebhook | undefined>();
  const toggle = useAction();

  async function setEnabled(hook: WebhookEndpoint, enabled: boolean) {
    const path = enabled ? '/api/admin/v1/webhooks/{id}/enable' : '/api/admin/v1/webhooks/{id}/disable';
    if (await toggle.run(() => api.POST(path, { params: { path: { id: hook.id } } }))) reload();
  }
  async function onDelete(hook: WebhookEndpoint) {
    const done = await toggle.run(() =>
      api.DELETE('/api/admin/v1/webhooks/{id}', { params: { path: { id: hook.id } } }),
    );
    if (done !== undefined) {
      reload();
      setLogRound((n) => n + 1);
    }
  }

  return (
    <section aria-labelledby="hooks-title" className="page">
      <h1 id="hooks-title">Webhooks</h1>
      {canEdit ? (
        <NewEndpoint
          onCreated={(hook) => {
            setCreated(hook);
            reload();
          }}
        />
      ) : null}
      {created ? (
        <p role="status" className="notice">
          Endpoint created. Its signing secret is shown only now:{' '}
          <code data-testid="webhook-secret">{created.secret}</code>
        </p>
      ) : null}
      <FormProblem problem={toggle.problem} />
      {endpoints.state === 'loading' ? <Loading what="endpoints" /> : null}
      {endpoints.state === 'error' ? <ErrorState problem={endpoints.problem} retry={reload} /> : null}
      {endpoints.state === 'ready' && endpoints.data.endpoints.length === 0 ? <Empty>No endpoints yet.</Empty> : null}
      {endpoints.state === 'ready' && endpoints.data.endpoints.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Endpoints">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">Last success</th>
                {canEdit ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {endpoints.data.endpoints.map((hook) => (
                <tr key={hook.id} data-endpoint={hook.url} className={hook.enabled ? undefined : 'disabled-row'}>
                  <td>
                    {hook.url}
                    {hook.description ? <div className="muted">{hook.description}</div> : null}
                  </td>
                  <td>{hook.eventTypes.join(', ')}</td>
                  <td>
                    {hook.enabled ? (
                      <span className="badge ok">enabled</span>
                    ) : (
                      <>
                        <span className="badge warn">disabled</span>
                        {hook.disabledReason ? <div className="muted">{hook.disabledReason}</div> : null}
                      </>
                    )}
                  </td>
                  <td>{hook.lastSuccessAt ? new Date(hook.lastSuccessAt).toLocaleString() : '—'}</td>
                  {canEdit ? (
                    <td className="actions">
                      <button type="button" onClick={() => void setEnabled(hook, !hook.enabled)}>
                        {hook.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button type="button" className="danger" onClick={() => void onDelete(hook)}>
                        Delete
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <DeliveryLog
        key={logRound}
        canEdit={canEdit}
        endpoints={endpoints.state === 'ready' ? endpoints.data.endpoints : []}
      />
    </section>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (hook: CreatedWebhook) => void }) {
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const add = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const hook = await add.run(() =>
      api.POST('/api/admin/v1/webhooks', {
        body: { url, eventTypes: types, ...(description ? { description } : {}) },
      }),
    );
    if (hook) {
      setUrl('');
      setTypes([]);
      setDescription('');
      onCreated(hook);
    }
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="New endpoint">
      <h2>New endpoint</h2>
      <FormProblem problem={add.problem} />
      <div className="grid2">
        <label>
          Endpoint URL
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
          <FieldError problem={add.problem} path="url" />
        </label>
        <label>
          Description (optional)
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      <fieldset>
        <legend>Event types</legend>
        <div className="checks">
          {EVENT_TYPES.map((type) => (
            <label className="check" key={type}>
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(e) => setTypes((t) => (e.target.checked ? [...t, type] : t.filter((x) => x !== type)))}
              />
              {type}
            </label>
          ))}
        </div>
        <FieldError problem={add.problem} path="eventTypes" />
      </fieldset>
      <button type="submit" disabled={add.busy}>
        Add endpoint
      </button>
    </form>
  );
}

function DeliveryLog({ endpoints, canEdit }: { endpoints: WebhookEndpoint[]; canEdit: boolean }) {
  const [endpointId, setEndpointId] = useState('');
  const [log, reload] = useLoad(
    () =>
      api.GET('/api/admin/v1/webhooks/deliveries', {
        params: { query: endpointId ? { endpointId, limit: 50 } : { limit: 50 } },
      }),
    [endpointId],
  );
  const redeliver = useAction();
  const [redelivered, setRedelivered] = useState<string | undefined>();
  const urlOf = (id: string) => endpoints.find((e) => e.id === id)?.url ?? id;
  const deliveries = log.state === 'ready' ? (log.data.deliveries as unknown as Delivery[]) : [];
  return (
    <section aria-labelledby="log-title">
      <div className="panel-head">
        <h2 id="log-title">Delivery log</h2>
        <label>
          Endpoint
          <select value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
            <option value="">All endpoints</option>
            {endpoints.map((e) => (
              <option key={e.id} value={e.id}>
                {e.url}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <FormProblem problem={redeliver.problem} />
      {redelivered ? (
        <p role="status" className="notice">
          Sent again as delivery <code>{redelivered}</code>.
        </p>
      ) : null}
      {log.state === 'loading' ? <Loading what="deliveries" /> : null}
      {log.state === 'error' ? <ErrorState problem={log.problem} retry={reload} /> : null}
      {log.state === 'ready' && deliveries.length === 0 ? <Empty>No deliveries yet.</Empty> : null}
      {deliveries.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Deliveries">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last response</th>
                {canEdit ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-delivery={d.id} data-status={d.status}>
                  <td>
                    <time dateTime={d.createdAt}>{new Date(d.createdAt).toLocaleString()}</time>
                    {d.redeliveryOf ? <div className="muted">redelivery</div> : null}
                  </td>
                  <td>
                    <code>{d.eventType}</code>
                  </td>
                  <td>{urlOf(d.endpointId)}</td>
                  <td>
                    <span
                      className={d.status === 'succeeded' ? 'badge ok' : d.status === 'failed' ? 'badge warn' : 'badge'}
                    >
                      {d.status}
                    </span>
                  </td>
                  <td>
                    <details>
                      <summary>{d.attempts}</summary>
                      <ol className="plain">
                        {d.log.map((a) => (
                          <li key={`${a.attempt}-${a.startedAt}`}>
                            #{a.attempt} {a.outcome} {a.responseStatus ?? ''}{' '}
                            {a.latencyMs !== null ? `${a.latencyMs} ms` : ''}{' '}
                            {a.error ? <span className="error">{a.error}</span> : null}
                          </li>
                        ))}
                      </ol>
                    </details>
                  </td>
                  <td>{d.lastResponseStatus ?? '—'}</td>
                  {canEdit ? (
                    <td>
                      {d.status === 'pending' || d.status === 'sending' ? null : (
                        <button
                          type="button"
                          onClick={async () => {
                            const answer = await redeliver.run(() =>
                              api.POST('/api/admin/v1/webhooks/deliveries/{id}/redeliver', {
                                params: { path: { id: d.id } },
                              }),
                            );
                            if (answer) {
                              setRedelivered(answer.deliveryId);
                              reload();
                            }
                          }}
                        >
                          Redeliver
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
