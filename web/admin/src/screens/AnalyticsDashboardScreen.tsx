import { AnalyticsNav } from '../analytics/AnalyticsNav.js';
import { ResultView } from '../analytics/ResultView.js';
import { api, type Report } from '../api/client.js';
import { FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

/**
 * The dashboard: the pinned reports in pin order, each answered live by the query endpoint (any admin role may
 * query; running a report would store a run and needs an editor). Editors reorder and unpin.
 */
export default function AnalyticsDashboardScreen() {
  const { canEdit } = useSession();
  const [reports, reload] = useLoad(() => api.GET('/api/admin/v1/reports'), []);
  const change = useAction();
  const pinned = reports.state === 'ready' ? reports.data.reports.filter((r) => r.pinPosition !== null) : [];

  async function move(index: number, by: -1 | 1) {
    const ids = pinned.map((r) => r.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id!);
    if (await change.run(() => api.PUT('/api/admin/v1/reports/pinned', { body: { reportIds: ids } }))) reload();
  }
  async function unpin(report: Report) {
    const done = await change.run(() =>
      api.POST('/api/admin/v1/reports/{id}/unpin', { params: { path: { id: report.id } } }),
    );
    if (done !== undefined) reload();
  }

  return (
    <section aria-labelledby="dash-title" className="page">
      <h1 id="dash-title">Analytics</h1>
      <AnalyticsNav current="analytics" />
      <FormProblem problem={change.problem} />
      {reports.state === 'loading' ? <Loading what="the dashboard" /> : null}
      {reports.state === 'error' ? <ErrorState problem={reports.problem} retry={reload} /> : null}
      {reports.state === 'ready' && pinned.length === 0 ? (
        <Empty>
          No pinned reports yet. Build one under <a href="#/reports">Reports</a> and pin it to see it here.
        </Empty>
      ) : null}
      <ol className="dashboard" aria-label="Pinned reports">
        {pinned.map((report, i) => (
          <li key={report.id} className="card" data-report={report.name}>
            <div className="panel-head">
              <h2>
                <a href={`#/reports/${encodeURIComponent(report.id)}`}>{report.name}</a>
              </h2>
              {canEdit ? (
                <span className="actions">
                  <button
                    type="button"
                    disabled={i === 0 || change.busy}
                    onClick={() => void move(i, -1)}
                    aria-label={`Move ${report.name} up`}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    disabled={i === pinned.length - 1 || change.busy}
                    onClick={() => void move(i, 1)}
                    aria-label={`Move ${report.name} down`}
                  >
                    ↓
                  </button>
                  <button type="button" disabled={change.busy} onClick={() => void unpin(report)}>
                    Unpin<span className="sr-only"> {report.name}</span>
                  </button>
                </span>
              ) : null}
            </div>
            {/* Keyed by version so an edit elsewhere reads the new definition. */}
            <PinnedResult key={`${report.id}:${report.version}`} report={report} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function PinnedResult({ report }: { report: Report }) {
  const [answer, retry] = useLoad(
    () => api.POST('/api/admin/v1/analytics/query', { body: report.definition }),
    [report.id, report.version],
  );
  if (answer.state === 'loading') return <Loading what={report.name} />;
  if (answer.state === 'error') return <ErrorState problem={answer.problem} retry={retry} />;
  return <ResultView result={answer.data} label={report.name} />;
}
