import { useState } from 'react';
import { api, type Submission } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useLoad } from '../ui/useLoad.js';
import type { FieldDef } from './formTypes.js';

/** A submission's value as text; data, never markup. File fields hold an upload id, downloaded as an attachment. */
function Value({ field, value }: { field: FieldDef | undefined; value: unknown }) {
  if (value === undefined || value === null || value === '') return <span className="muted">—</span>;
  if (field?.type === 'file' && typeof value === 'string') {
    return (
      <a href={`/api/admin/v1/uploads/${encodeURIComponent(value)}`} download>
        Download
      </a>
    );
  }
  if (Array.isArray(value)) return <>{value.map(String).join(', ')}</>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
}

export function Submissions({ formId, fields }: { formId: string; fields: FieldDef[] }) {
  const [cursor, setCursor] = useState<string | undefined>();
  const [earlier, setEarlier] = useState<Submission[]>([]);
  const [page, reload] = useLoad(
    () =>
      api.GET('/api/admin/v1/forms/{id}/submissions', {
        params: { path: { id: formId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    [formId, cursor],
  );
  const rows = [...earlier, ...(page.state === 'ready' ? page.data.submissions : [])];
  // The published fields first, then any name only older versions had.
  const names = [...fields.map((f) => f.name)];
  for (const row of rows) for (const name of Object.keys(row.values)) if (!names.includes(name)) names.push(name);
  return (
    <section aria-labelledby="subs-title">
      <div className="panel-head">
        <h2 id="subs-title">Submissions</h2>
        <button
          type="button"
          onClick={() => {
            setEarlier([]);
            setCursor(undefined);
            reload();
          }}
        >
          Refresh
        </button>
      </div>
      {page.state === 'error' ? <ErrorState problem={page.problem} retry={reload} /> : null}
      {page.state === 'ready' && rows.length === 0 ? <Empty>No submissions yet.</Empty> : null}
      {rows.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Submissions">
            <thead>
              <tr>
                <th scope="col">Received</th>
                {names.map((n) => (
                  <th scope="col" key={n}>
                    {fields.find((f) => f.name === n)?.label ?? n}
                  </th>
                ))}
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <time dateTime={s.createdAt}>{new Date(s.createdAt).toLocaleString()}</time>
                  </td>
                  {names.map((n) => (
                    <td key={n}>
                      <Value field={fields.find((f) => f.name === n)} value={s.values[n]} />
                    </td>
                  ))}
                  <td>{s.origin ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page.state === 'loading' ? <Loading what="submissions" /> : null}
      {page.state === 'ready' && page.data.nextCursor ? (
        <button
          type="button"
          onClick={() => {
            setEarlier(rows);
            setCursor(page.data.nextCursor ?? undefined);
          }}
        >
          Older submissions
        </button>
      ) : null}
    </section>
  );
}
