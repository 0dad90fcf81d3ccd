import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { hrefOf } from '../ui/useHashRoute.js';
import { useLoad } from '../ui/useLoad.js';

const STATUSES = ['', 'running', 'waiting_input', 'waiting_time', 'completed', 'failed', 'aborted'] as const;
type Status = Exclude<(typeof STATUSES)[number], ''>;

interface Filters {
  customerId: string;
  intent: string;
  status: string;
  from: string;
  to: string;
  includeTest: boolean;
}

const EMPTY: Filters = { customerId: '', intent: '', status: '', from: '', to: '', includeTest: false };

export default function HistoryScreen() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [list, reload] = useLoad(
    () =>
      api.GET('/api/admin/v1/conversations', {
        params: {
          query: {
            ...(filters.customerId ? { customerId: filters.customerId } : {}),
            ...(filters.intent ? { intent: filters.intent } : {}),
            ...(filters.status ? { status: filters.status as Status } : {}),
            ...(filters.from ? { from: new Date(filters.from).toISOString() } : {}),
            ...(filters.to ? { to: new Date(filters.to).toISOString() } : {}),
            ...(filters.includeTest ? { includeTest: 'true' as const } : {}),
          },
        },
      }),
    [filters],
  );
  function search(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
  }
  const text = (key: 'customerId' | 'intent', label: string) => (
    <label>
      {label}
      <input type="text" value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">Conversation history</h1>
      <form className="filters" onSubmit={search} aria-label="Search conversations">
        {text('customerId', 'Customer')}
        {text('intent', 'Intent')}
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || '(any)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.includeTest}
            onChange={(e) => setDraft({ ...draft, includeTest: e.target.checked })}
          />
          Include test chats
        </label>
        <button type="submit">Search</button>
      </form>
      {list.state === 'loading' ? <Loading what="conversations" /> : null}
      {list.state === 'error' ? <ErrorState problem={list.problem} retry={reload} /> : null}
      {list.state === 'ready' && list.data.items.length === 0 ? <Empty>No conversation matches.</Empty> : null}
      {list.state === 'ready' && list.data.items.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Executions</th>
              <th scope="col">Started</th>
              <th scope="col">Last activity</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.conversationId}>
                <td>
                  <a href={hrefOf({ screen: 'conversation', id: c.conversationId })}>{c.customerId}</a>{' '}
                  {c.test ? <span className="badge">test</span> : null}
                </td>
                <td>{c.executions}</td>
                <td>{new Date(c.createdAt).toLocaleString()}</td>
                <td>{new Date(c.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
