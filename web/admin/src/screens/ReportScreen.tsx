import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { AnalyticsNav } from '../analytics/AnalyticsNav.js';
import { DefinitionForm } from '../analytics/DefinitionForm.js';
import { type Draft, definitionOf, draftOf, emptyDraft } from '../analytics/draft.js';
import { ReportRuns } from '../analytics/ReportRuns.js';
import { ReportSchedule } from '../analytics/ReportSchedule.js';
import { ResultView } from '../analytics/ResultView.js';
import { type AnalyticsResult, api, type Report } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { withoutPrefix } from '../ui/problems.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

const today = () => new Date().toISOString().slice(0, 10);

/** One report (`#/reports/<id>`) or a new one (`#/reports/new`): the builder, then its runs, exports and schedule. */
export default function ReportScreen({ reportId }: { reportId: string }) {
  const isNew = reportId === 'new';
  const [loaded, reload] = useLoad<Report | null>(
    () =>
      isNew
        ? Promise.resolve({ data: null, response: new Response(null, { status: 200 }) })
        : api.GET('/api/admin/v1/reports/{id}', { params: { path: { id: reportId } } }),
    [reportId],
  );
  // After a change the report is read again in place: the builder stays mounted, so its notices and inputs stay.
  const [fresh, setFresh] = useState<Report | undefined>();
  const refresh = useCallback(async () => {
    const { data } = await api.GET('/api/admin/v1/reports/{id}', { params: { path: { id: reportId } } });
    if (data) setFresh(data);
  }, [reportId]);
  const report = loaded.state === 'ready' ? (fresh ?? loaded.data) : undefined;
  return (
    <section aria-labelledby="report-title" className="page">
      <h1 id="report-title">{isNew ? 'New report' : (report?.name ?? 'Report')}</h1>
      <AnalyticsNav current="reports" />
      {loaded.state === 'loading' ? <Loading what="the report" /> : null}
      {loaded.state === 'error' ? <ErrorState problem={loaded.problem} retry={reload} /> : null}
      {report !== undefined ? <Builder report={report} onChanged={() => void refresh()} /> : null}
    </section>
  );
}

function Builder({ report, onChanged }: { report: Report | null; onChanged: () => void }) {
  const { canEdit } = useSession();
  const [name, setName] = useState(report?.name ?? '');
  const [draft, setDraft] = useState<Draft>(() => (report ? draftOf(report.definition, today()) : emptyDraft(today())));
  const [result, setResult] = useState<AnalyticsResult | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const query = useAction();
  const save = useAction();
  const change = useAction();

  async function runQuery() {
    setNotice(undefined);
    const answer = await query.run(() => api.POST('/api/admin/v1/analytics/query', { body: definitionOf(draft) }));
    setResult(answer);
  }
  // A saved report opens with its answer, like on the dashboard.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per loaded report.
  useEffect(() => {
    if (report) void runQuery();
  }, [report?.id, report?.version]);

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    const definition = definitionOf(draft);
    if (report) {
      const saved = await save.run(() =>
        api.PATCH('/api/admin/v1/reports/{id}', { params: { path: { id: report.id } }, body: { name, definition } }),
      );
      if (saved) {
        setNotice(`Saved (version ${saved.version}).`);
        onChanged();
      }
    } else {
      const created = await save.run(() => api.POST('/api/admin/v1/reports', { body: { name, definition } }));
      if (created) window.location.hash = `#/reports/${encodeURIComponent(created.id)}`;
    }
  }
  async function onDelete() {
    if (!report) return;
    const done = await change.run(() =>
      api.DELETE('/api/admin/v1/reports/{id}', { params: { path: { id: report.id } } }),
    );
    if (done !== undefined) window.location.hash = '#/reports';
  }
  async function setPinned(pin: boolean) {
    if (!report) return;
    const path = pin ? '/api/admin/v1/reports/{id}/pin' : '/api/admin/v1/reports/{id}/unpin';
    const done = await change.run(() => api.POST(path, { params: { path: { id: report.id } } }));
    if (done !== undefined) {
      setNotice(pin ? 'Pinned to the dashboard.' : 'Taken off the dashboard.');
      onChanged();
    }
  }

  // The save answer names `definition.metrics`; the query answer names `metrics`: both land beside the same input.
  const problem = query.problem ?? withoutPrefix(save.problem, 'definition.');
  return (
    <>
      <form className="card" aria-label="Report builder" onSubmit={(e) => void onSave(e)}>
        <h2>Definition</h2>
        <FormProblem problem={query.problem ?? save.problem} />
        {canEdit ? (
          <label>
            Report name
            <input value={name} onChange={(e) => setName(e.target.value)} aria-describedby="err-name" />
            <FieldError problem={save.problem} path="name" id="err-name" />
          </label>
        ) : null}
        <DefinitionForm draft={draft} onChange={setDraft} problem={problem} />
        <div className="actions">
          <button type="button" onClick={() => void runQuery()} disabled={query.busy}>
            Run
          </button>
          {canEdit ? (
            <button type="submit" disabled={save.busy}>
              {report ? 'Save changes' : 'Save report'}
            </button>
          ) : null}
        </div>
      </form>
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      <FormProblem problem={change.problem} />
      {report && canEdit ? (
        <div className="actions">
          {report.pinPosition === null ? (
            <button type="button" onClick={() => void setPinned(true)} disabled={change.busy}>
              Pin to dashboard
            </button>
          ) : (
            <button type="button" onClick={() => void setPinned(false)} disabled={change.busy}>
              Unpin from dashboard
            </button>
          )}
          {confirmDelete ? (
            <>
              <button type="button" className="danger" onClick={() => void onDelete()} disabled={change.busy}>
                Delete “{report.name}” with its runs and schedule
              </button>
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
              Delete report
            </button>
          )}
        </div>
      ) : null}
      <section aria-labelledby="result-title">
        <h2 id="result-title">Result</h2>
        {query.busy ? <Loading what="the result" /> : null}
        {result && !query.busy ? (
          <>
            <p className="muted">
              {result.timeZone} · {new Date(result.from).toLocaleString()} – {new Date(result.to).toLocaleString()}
              {result.granularity ? ` · by ${result.granularity}` : ''}
            </p>
            <ResultView result={result} label={report?.name ?? 'Query result'} />
          </>
        ) : null}
        {!result && !query.busy ? <p className="muted">Choose metrics and run the query to see its answer.</p> : null}
      </section>
      {report ? <ReportRuns report={report} /> : null}
      {report ? <ReportSchedule report={report} onChanged={onChanged} /> : null}
    </>
  );
}
