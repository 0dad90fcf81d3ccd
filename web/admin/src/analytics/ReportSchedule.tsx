import { type FormEvent, useState } from 'react';
import { api, type Report, type ReportScheduleBody } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { withoutPrefix } from '../ui/problems.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';

/**
 * A report's schedule: a cron expression read in a time zone, on or off, and the format the `report.ready` link
 * serves. Each scheduled run appears among the runs above with its download links.
 */
export function ReportSchedule({ report, onChanged }: { report: Report; onChanged: () => void }) {
  const { canEdit } = useSession();
  const schedule = report.schedule;
  const [cron, setCron] = useState(schedule?.cron ?? '0 9 * * MON');
  const [timeZone, setTimeZone] = useState(schedule?.timeZone ?? report.definition.timeZone ?? 'UTC');
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [format, setFormat] = useState<NonNullable<ReportScheduleBody['format']>>('csv');
  const [notice, setNotice] = useState<string | undefined>();
  const save = useAction();

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    const saved = await save.run(() =>
      api.PUT('/api/admin/v1/reports/{id}/schedule', {
        params: { path: { id: report.id } },
        body: { cron, timeZone, enabled, format },
      }),
    );
    if (saved) {
      setNotice('Schedule saved.');
      onChanged();
    }
  }
  async function onRemove() {
    setNotice(undefined);
    const done = await save.run(() =>
      api.DELETE('/api/admin/v1/reports/{id}/schedule', { params: { path: { id: report.id } } }),
    );
    if (done !== undefined) {
      setNotice('Schedule removed.');
      onChanged();
    }
  }
  // The service names `schedule.cron` (as in a report's create body) or `cron`: both land beside the input.
  const problem = withoutPrefix(save.problem, 'schedule.');
  return (
    <section aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule</h2>
      {schedule ? (
        <p data-testid="schedule-state">
          <code>{schedule.cron}</code> in {schedule.timeZone}{' '}
          <span className={schedule.enabled ? 'badge ok' : 'badge warn'}>
            {schedule.enabled ? 'enabled' : 'disabled'}
          </span>
          {schedule.enabled ? <> · next run {new Date(schedule.nextRunAt).toLocaleString()}</> : null}
          {schedule.lastRunAt ? <> · last run {new Date(schedule.lastRunAt).toLocaleString()}</> : null}
        </p>
      ) : (
        <p className="muted">Not scheduled.</p>
      )}
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      {canEdit ? (
        <form className="card" aria-label="Schedule" onSubmit={(e) => void onSave(e)}>
          <FormProblem problem={save.problem} />
          <div className="grid2">
            <label>
              Cron expression
              <input
                value={cron}
                required
                onChange={(e) => setCron(e.target.value)}
                aria-describedby="cron-help err-cron"
              />
              <span className="muted" id="cron-help">
                minute hour day month weekday, e.g. <code>0 9 * * MON</code> or <code>@daily</code>
              </span>
              <FieldError problem={problem} path="cron" id="err-cron" />
            </label>
            <label>
              Schedule time zone
              <input
                value={timeZone}
                required
                onChange={(e) => setTimeZone(e.target.value)}
                aria-describedby="err-schedule-tz"
              />
              <FieldError problem={problem} path="timeZone" id="err-schedule-tz" />
            </label>
            <label>
              Download format
              <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
                <option value="csv">CSV</option>
                <option value="json">JSON</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
              Enabled
            </label>
          </div>
          <div className="actions">
            <button type="submit" disabled={save.busy}>
              Save schedule
            </button>
            {schedule ? (
              <button type="button" className="danger" onClick={() => void onRemove()} disabled={save.busy}>
                Remove schedule
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
