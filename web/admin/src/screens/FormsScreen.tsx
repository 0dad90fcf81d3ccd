import { api } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { hrefOf } from '../ui/useHashRoute.js';
import { useLoad } from '../ui/useLoad.js';

export default function FormsScreen() {
  const { canEdit } = useSession();
  const [forms, reload] = useLoad(() => api.GET('/api/admin/v1/forms'), []);
  return (
    <section aria-labelledby="forms-title" className="page">
      <div className="panel-head">
        <h1 id="forms-title">Forms</h1>
        {canEdit ? <a href={hrefOf({ screen: 'form', id: 'new' })}>New form</a> : null}
      </div>
      {forms.state === 'loading' ? <Loading what="forms" /> : null}
      {forms.state === 'error' ? <ErrorState problem={forms.problem} retry={reload} /> : null}
      {forms.state === 'ready' && forms.data.forms.length === 0 ? (
        <Empty>No forms yet: build one here, or import one with `npx comerix form:import`.</Empty>
      ) : null}
      {forms.state === 'ready' && forms.data.forms.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Status</th>
              <th scope="col">Latest version</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {forms.data.forms.map((f) => (
              <tr key={f.id}>
                <td>
                  <a href={hrefOf({ screen: 'form', id: f.id })}>{f.code}</a>
                </td>
                <td>
                  {f.publishedVersionId ? (
                    <span className="badge ok">published</span>
                  ) : (
                    <span className="badge">draft</span>
                  )}
                </td>
                <td>{f.latestVersion}</td>
                <td>
                  <time dateTime={f.updatedAt}>{new Date(f.updatedAt).toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
