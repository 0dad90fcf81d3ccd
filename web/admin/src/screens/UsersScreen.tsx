import { type FormEvent, useState } from 'react';
import { type AdminUser, type AuditPage, api } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

const ROLES = ['owner', 'editor', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/** Users and roles, then the audit log that records every change (owners only: the API refuses the others). */
export default function UsersScreen() {
  const { user: me } = useSession();
  const [users, reload] = useLoad(() => api.GET('/api/admin/v1/users'), []);
  const [auditRound, setAuditRound] = useState(0);
  const change = useAction();
  const remove = useAction();
  const [confirming, setConfirming] = useState<string | undefined>();

  async function setRole(user: AdminUser, role: Role) {
    const done = await change.run(() =>
      api.PATCH('/api/admin/v1/users/{id}', { params: { path: { id: user.id } }, body: { role } }),
    );
    reload();
    if (done) setAuditRound((n) => n + 1);
  }

  async function onRemove(id: string) {
    const done = await remove.run(() => api.DELETE('/api/admin/v1/users/{id}', { params: { path: { id } } }));
    setConfirming(undefined);
    if (done !== undefined) {
      reload();
      setAuditRound((n) => n + 1);
    }
  }

  return (
    <section aria-labelledby="users-title" className="page">
      <h1 id="users-title">Users</h1>
      <Invite
        onInvited={() => {
          reload();
          setAuditRound((n) => n + 1);
        }}
      />
      <FormProblem problem={change.problem ?? remove.problem} />
      {users.state === 'loading' ? <Loading what="users" /> : null}
      {users.state === 'error' ? <ErrorState problem={users.problem} retry={reload} /> : null}
      {users.state === 'ready' ? (
        <div className="scroll">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id} data-user={u.email}>
                  <td>
                    {u.email} {u.id === me.id ? <span className="muted">(you)</span> : null}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      onChange={(e) => void setRole(u, e.target.value as Role)}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    {change.problem ? <FieldError problem={change.problem} path="role" /> : null}
                  </td>
                  <td>
                    <time dateTime={u.createdAt}>{new Date(u.createdAt).toLocaleDateString()}</time>
                  </td>
                  <td>
                    {u.id === me.id ? null : confirming === u.id ? (
                      <fieldset className="confirm">
                        <legend className="sr-only">{`Remove ${u.email}?`}</legend>
                        <button type="button" className="danger" onClick={() => void onRemove(u.id)}>
                          Confirm removal
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(undefined)}>
                          Keep
                        </button>
                      </fieldset>
                    ) : (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Remove ${u.email}`}
                        onClick={() => setConfirming(u.id)}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AuditLog key={auditRound} />
    </section>
  );
}

/** Adds a user with a first password, which the owner hands over (there is no e-mail sending). */
function Invite({ onInvited }: { onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const add = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const created = await add.run(() => api.POST('/api/admin/v1/users', { body: { email, role, password } }));
    if (created) {
      setEmail('');
      setPassword('');
      onInvited();
    }
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Invite user">
      <h2>Invite a user</h2>
      <FormProblem problem={add.problem} />
      <div className="grid3">
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <FieldError problem={add.problem} path="email" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          First password (12+ characters; hand it over)
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <FieldError problem={add.problem} path="password" />
        </label>
      </div>
      <button type="submit" disabled={add.busy}>
        Invite
      </button>
    </form>
  );
}

function AuditLog() {
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [filter, setFilter] = useState({ action: '', target: '' });
  const [pages, setPages] = useState<AuditPage['entries']>([]);
  const [before, setBefore] = useState<number | undefined>();
  const [log, reload] = useLoad(
    () =>
      api.GET('/api/admin/v1/audit', {
        params: {
          query: {
            limit: 50,
            ...(filter.action ? { action: filter.action } : {}),
            ...(filter.target ? { target: filter.target } : {}),
            ...(before !== undefined ? { before } : {}),
          },
        },
      }),
    [filter, before],
  );
  const entries = [...pages, ...(log.state === 'ready' ? log.data.entries : [])];
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form
        className="filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          setPages([]);
          setBefore(undefined);
          setFilter({ action, target });
        }}
      >
        <label>
          Action
          <input value={action} placeholder="admin_user.role" onChange={(e) => setAction(e.target.value)} />
        </label>
        <label>
          Target id
          <input value={target} onChange={(e) => setTarget(e.target.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {log.state === 'error' ? <ErrorState problem={log.problem} retry={reload} /> : null}
      {log.state === 'ready' && entries.length === 0 ? <Empty>No entries.</Empty> : null}
      {entries.length > 0 ? (
        <div className="scroll">
          <table className="list" aria-label="Audit entries">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Before → after (SHA-256)</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleString()}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <code>{e.target}</code>
                  </td>
                  <td className="muted">
                    {e.beforeDigest?.slice(0, 8) ?? '—'} → {e.afterDigest?.slice(0, 8) ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {log.state === 'loading' ? <Loading what="the audit log" /> : null}
      {log.state === 'ready' && log.data.nextBefore !== null ? (
        <button
          type="button"
          onClick={() => {
            setPages(entries);
            setBefore(log.data.nextBefore ?? undefined);
          }}
        >
          Older entries
        </button>
      ) : null}
    </section>
  );
}
