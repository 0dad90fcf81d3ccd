import { AnalyticsNav } from '../analytics/AnalyticsNav.js';
import { api } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useLoad } from '../ui/useLoad.js';

/** The saved reports (pinned first, in dashboard order, then by name, as the API lists them). */
export default function ReportsScreen() {
  const { canEdit } = useSession();
  const [reports, reload] = useLoad(() => api.GET('/api/admin/v1/reports'), []);
  return (
    <section aria-labelledby="reports-title" className="page">
      <h1 id="reports-title">Reports</h1>
      <AnalyticsNav current="reports" />
      <p>
        <a className="button" href="#/reports/new">
          {canEdit ? 'New report' : 'Explore in the builder'}
        </a>
      </p>
      {reports.state === 'loading' ? <Loading what="reports" /> : null}
      {reports.state === 'error' ? <ErrorState problem={reports.problem} retry={reload} /> : null}
      {reports.state === 'ready' && reports.data.reports.length === 0 ? <Empty>No saved reports yet.</Empty> : null}
      {reports.state === 'ready' && reports.data.reports.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Saved reports">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Metrics</th>
                <th scope="col">Dashboard</th>
                <th scope="col">Schedule</th>
              </tr>
            </thead>
            <tbody>
              {reports.data.reports.map((r) => (
                <tr key={r.id} data-report={r.name}>
                  <td>
                    <a href={`#/reports/${encodeURIComponent(r.id)}`}>{r.name}</a>
                  </td>
                  <td>{r.definition.metrics.join(', ')}</td>
                  <td>{r.pinPosition === null ? '—' : `pinned #${r.pinPosition + 1}`}</td>
                  <td>
                    {r.schedule ? (
                      <>
                        <code>{r.schedule.cron}</code> {r.schedule.timeZone}{' '}
                        <span className={r.schedule.enabled ? 'badge ok' : 'badge warn'}>
                          {r.schedule.enabled ? 'enabled' : 'disabled'}
                        </span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
