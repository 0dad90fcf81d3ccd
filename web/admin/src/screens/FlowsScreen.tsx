import { api } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { hrefOf } from '../ui/useHashRoute.js';
import { useLoad } from '../ui/useLoad.js';

export function FlowsScreen() {
  const [flows, reload] = useLoad(() => api.GET('/api/admin/v1/flows'), []);
  return (
    <section aria-labelledby="flows-title">
      <h1 id="flows-title">Flows</h1>
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
