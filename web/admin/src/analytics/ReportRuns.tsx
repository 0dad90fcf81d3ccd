import { useState } from 'react';
import { api, type Report } from '../api/client.js';
import { FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

/** Where a stored run downloads from (an attachment; a GET with the session cookie needs no CSRF token). */
export function exportHref(reportId: string, runId: string, format: 'csv' | 'json'): string {
  return `/api/admin/v1/reports/${encodeURIComponent(reportId)}/runs/${encodeURIComponent(runId)}/export?format=${format}`;
}

/** A report's stored runs (manual, scheduled, CLI), newest first, each downloadable as CSV and JSON. */
export function ReportRuns({ report }: { report: Report }) {
  const { canEdit } = useSession();
  const [round, setRound] = useState(0);
  const [runs, reload] = useLoad(
    () => api.GET('/api/admin/v1/reports/{id}/runs', { params: { path: { id: report.id } } }),
    [report.id, round],
  );
  const store = useAction();
  async function runNow() {
    const run = await store.run(() =>
      api.POST('/api/admin/v1/reports/{id}/run', { params: { path: { id: report.id } } }),
    );
    if (run) setRound((n) => n + 1);
  }
  return (
    <section aria-labelledby="runs-title">
      <div className="panel-head">
        <h2 id="runs-title">Runs and exports</h2>
        {canEdit ? (
          <button type="button" onClick={() => void runNow()} disabled={store.busy}>
            Run and store now
          </button>
        ) : null}
        <button type="button" onClick={reload}>
          Refresh runs
        </button>
      </div>
      <p className="muted">Each run keeps the definition it ran and its result. Saved changes apply to the next run.</p>
      <FormProblem problem={store.problem} />
      {runs.state === 'loading' ? <Loading what="runs" /> : null}
      {runs.state === 'error' ? <ErrorState problem={runs.problem} retry={reload} /> : null}
      {runs.state === 'ready' && runs.data.runs.length === 0 ? <Empty>No stored runs yet.</Empty> : null}
      {runs.state === 'ready' && runs.data.runs.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Stored runs">
            <thead>
              <tr>
                <th scope="col">Completed</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col">Download</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((run) => (
                <tr key={run.id} data-run={run.id} data-status={run.status}>
                  <td>
                    <time dateTime={run.completedAt}>{new Date(run.completedAt).toLocaleString()}</time>
                  </td>
                  <td>
                    {run.trigger}
                    {run.scheduledFor ? (
                      <div className="muted">for {new Date(run.scheduledFor).toLocaleString()}</div>
                    ) : null}
                  </td>
                  <td>
                    <span className={run.status === 'completed' ? 'badge ok' : 'badge warn'}>{run.status}</span>
                    {run.error ? <div className="error">{run.error}</div> : null}
                  </td>
                  <td className="num">{run.rowCount}</td>
                  <td>
                    {run.status === 'completed' ? (
                      <span className="actions">
                        <a href={exportHref(report.id, run.id, 'csv')} download>
                          CSV<span className="sr-only"> of the run completed {run.completedAt}</span>
                        </a>
                        <a href={exportHref(report.id, run.id, 'json')} download>
                          JSON<span className="sr-only"> of the run completed {run.completedAt}</span>
                        </a>
                      </span>
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
