import { type FormEvent, useState } from 'react';
import { api, type UsagePage } from '../api/client.js';
import { FieldError } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useLoad } from '../ui/useLoad.js';

// The counters of DESIGN §9, one column each.
const KINDS = ['session', 'message', 'mount', 'submission', 'upload', 'quick_questions', 'config'] as const;

type Counter = { day?: string; publicKeyId?: string; kind?: string; count: number };
type Spend = Extract<UsagePage['items'][number], { kind: 'tokens' }>;

const isoDay = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Usage per widget key and UTC day (a table, one column per counter) and the tenant's LLM token spend. A table is
 * enough here; charts belong to the analytics screens.
 */
export default function UsageScreen() {
  const [range, setRange] = useState({ from: isoDay(-29), to: isoDay(0) });
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [spendBy, setSpendBy] = useState<'day' | 'flow' | 'model'>('day');
  const [keys] = useLoad(() => api.GET('/api/admin/v1/widget-keys'), []);
  const [counters, reloadCounters] = useLoad(
    () => api.GET('/api/admin/v1/usage', { params: { query: { from: range.from, to: range.to, limit: 100 } } }),
    [range],
  );
  const [spend, reloadSpend] = useLoad(
    () =>
      api.GET('/api/admin/v1/usage', {
        params: { query: { kind: 'tokens', groupBy: spendBy, from: range.from, to: range.to, limit: 100 } },
      }),
    [range, spendBy],
  );
  const labelOf = (id: string | undefined) =>
    (keys.state === 'ready' ? keys.data.keys.find((k) => k.id === id)?.label : undefined) ?? id ?? '—';

  // One row per day × key, newest day first.
  const rows = new Map<string, { day: string; key: string; counts: Record<string, number> }>();
  if (counters.state === 'ready') {
    for (const item of counters.data.items as Counter[]) {
      const id = `${item.day}|${item.publicKeyId}`;
      const row = rows.get(id) ?? { day: item.day ?? '', key: item.publicKeyId ?? '', counts: {} };
      row.counts[item.kind ?? ''] = (row.counts[item.kind ?? ''] ?? 0) + item.count;
      rows.set(id, row);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.day.localeCompare(a.day) || a.key.localeCompare(b.key));

  function submit(event: FormEvent) {
    event.preventDefault();
    setRange({ from, to });
  }

  return (
    <section aria-labelledby="usage-title" className="page">
      <h1 id="usage-title">Usage and token spend</h1>
      <form className="filters" onSubmit={submit} aria-label="Usage range">
        <label>
          From (UTC day)
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <h2>Per key and day</h2>
      {counters.state === 'loading' ? <Loading what="usage" /> : null}
      {counters.state === 'error' ? (
        <>
          <ErrorState problem={counters.problem} retry={reloadCounters} />
          <FieldError problem={counters.problem} path="from" />
          <FieldError problem={counters.problem} path="to" />
        </>
      ) : null}
      {counters.state === 'ready' && sorted.length === 0 ? <Empty>No usage in this range.</Empty> : null}
      {sorted.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Usage per key and day">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Key</th>
                {KINDS.map((k) => (
                  <th scope="col" key={k}>
                    {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={`${r.day}|${r.key}`}>
                  <td>{r.day}</td>
                  <td>{labelOf(r.key)}</td>
                  {KINDS.map((k) => (
                    <td key={k}>{r.counts[k] ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {counters.state === 'ready' && counters.data.nextCursor ? (
            <p className="muted">Showing the first 100 counters: narrow the range to see the rest.</p>
          ) : null}
        </div>
      ) : null}
      <div className="panel-head">
        <h2>LLM token spend</h2>
        <label>
          Group by
          <select value={spendBy} onChange={(e) => setSpendBy(e.target.value as typeof spendBy)}>
            <option value="day">day</option>
            <option value="flow">flow</option>
            <option value="model">model</option>
          </select>
        </label>
      </div>
      {spend.state === 'loading' ? <Loading what="token spend" /> : null}
      {spend.state === 'error' ? <ErrorState problem={spend.problem} retry={reloadSpend} /> : null}
      {spend.state === 'ready' && spend.data.items.length === 0 ? <Empty>No LLM calls in this range.</Empty> : null}
      {spend.state === 'ready' && spend.data.items.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Token spend">
            <thead>
              <tr>
                <th scope="col">{spendBy}</th>
                <th scope="col">Calls</th>
                <th scope="col">Prompt tokens</th>
                <th scope="col">Completion tokens</th>
                <th scope="col">Total tokens</th>
                <th scope="col">Cost (USD)</th>
              </tr>
            </thead>
            <tbody>
              {(spend.data.items as Spend[]).map((s) => (
                <tr key={s.day ?? s.flowId ?? s.model ?? ''}>
                  <td>{s.day ?? s.intentName ?? s.flowId ?? s.model ?? '—'}</td>
                  <td>{s.calls}</td>
                  <td>{s.prompt_tokens}</td>
                  <td>{s.completion_tokens}</td>
                  <td>{s.total_tokens}</td>
                  <td>{s.cost_usd.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
