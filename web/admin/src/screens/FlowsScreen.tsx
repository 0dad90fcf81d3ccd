import { type FormEvent, useState } from 'react';
import { api, problemOf } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { hrefOf } from '../ui/useHashRoute.js';
import { useLoad } from '../ui/useLoad.js';

export function FlowsScreen() {
  const [flows, reload] = useLoad(() => api.GET('/api/admin/v1/flows'), []);
  const { canEdit } = useSession();
  return (
    <section aria-labelledby="flows-title">
      <h1 id="flows-title">Flows</h1>
      {canEdit ? <NewFlow /> : null}
      {flows.state === 'loading' ? <Loading what="flows" /> : null}
      {flows.state === 'error' ? <ErrorState problem={flows.problem} retry={reload} /> : null}
      {flows.state === 'ready' && flows.data.flows.length === 0 ? (
        <Empty>No flows yet: import one with `npx comerix flow:import`.</Empty>
      ) : null}
      {flows.state === 'ready' && flows.data.flows.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Intent</th>
              <th scope="col">Status</th>
              <th scope="col">Published version</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {flows.data.flows.map((flow) => (
              <tr key={flow.id}>
                <td>
                  <a href={hrefOf({ screen: 'flow', id: flow.id })}>{flow.intentName}</a>
                  <div className="muted">{flow.description}</div>
                </td>
                <td>
                  {flow.publishedVersion === null ? (
                    <span className="badge">draft</span>
                  ) : (
                    <span className="badge ok">published</span>
                  )}
                </td>
                <td>{flow.publishedVersion ?? '—'}</td>
                <td>
                  <time dateTime={flow.updatedAt}>{new Date(flow.updatedAt).toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** A new flow starts as a one-node draft (an `end`), which the canvas then grows. */
function NewFlow() {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  async function create(event: FormEvent) {
    event.preventDefault();
    const {
      data,
      error: failure,
      response,
    } = await api.POST('/api/admin/v1/flows', {
      body: { intent: { name, description: name }, start: 'done', nodes: [{ id: 'done', type: 'end' }], edges: [] },
    });
    if (data) window.location.hash = hrefOf({ screen: 'flow', id: data.id });
    else setError(problemOf(failure, response).message);
  }
  return (
    <form className="filters" onSubmit={(e) => void create(e)} aria-label="New flow">
      <label>
        New flow: intent name
        <input type="text" required pattern="[a-z][a-z0-9_]*" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="submit">Create flow</button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}
