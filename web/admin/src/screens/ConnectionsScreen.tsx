import { type FormEvent, useState } from 'react';
import { api, type Connection, type ConnectionBody, type ConnectionTest } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

type AuthType = NonNullable<ConnectionBody['authType']>;
const AUTH_TYPES: AuthType[] = ['none', 'header', 'bearer', 'basic', 'oauth2_client_credentials'];
const SECRET_LABEL: Record<AuthType, string> = {
  none: 'Secret',
  header: 'Header value',
  bearer: 'Token',
  basic: 'Password',
  oauth2_client_credentials: 'Client secret',
};

interface Draft {
  name: string;
  type: 'http' | 'openai';
  baseUrl: string;
  authType: AuthType;
  secret: string;
  headerName: string;
  username: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  clientAuth: '' | 'basic' | 'post';
  defaultModel: string;
}

function draftOf(c?: Connection): Draft {
  const a = (c?.authConfig ?? {}) as Record<string, string | undefined>;
  return {
    name: c?.name ?? '',
    type: (c?.type as Draft['type']) ?? 'http',
    baseUrl: c?.baseUrl ?? '',
    authType: (c?.authType as AuthType) ?? 'none',
    secret: '',
    headerName: a.headerName ?? '',
    username: a.username ?? '',
    tokenUrl: a.tokenUrl ?? '',
    clientId: a.clientId ?? '',
    scope: a.scope ?? '',
    clientAuth: (a.clientAuth as Draft['clientAuth']) ?? '',
    defaultModel: a.defaultModel ?? '',
  };
}

/** Only the settings that the auth type uses and that were filled in: as `comerix connection:create` flags. */
function settingsOf(d: Draft) {
  const opt = (key: keyof Draft, on: boolean) => (on && d[key] ? { [key]: d[key] } : {});
  return {
    type: d.type,
    baseUrl: d.baseUrl,
    authType: d.authType,
    ...opt('secret', d.authType !== 'none'),
    ...opt('headerName', d.authType === 'header'),
    ...opt('username', d.authType === 'basic'),
    ...opt('tokenUrl', d.authType === 'oauth2_client_credentials'),
    ...opt('clientId', d.authType === 'oauth2_client_credentials'),
    ...opt('scope', d.authType === 'oauth2_client_credentials'),
    ...opt('clientAuth', d.authType === 'oauth2_client_credentials'),
    ...opt('defaultModel', d.type === 'openai'),
  } as Omit<ConnectionBody, 'name'>;
}

/** Connections for `http` and `llm` nodes: secrets are write-only (never shown, kept when left empty). */
export default function ConnectionsScreen() {
  const { canEdit } = useSession();
  const [list, reload] = useLoad(() => api.GET('/api/admin/v1/connections'), []);
  const [editing, setEditing] = useState<string | 'new' | undefined>();
  const remove = useAction();
  return (
    <section aria-labelledby="conn-title" className="page">
      <div className="panel-head">
        <h1 id="conn-title">Connections</h1>
        {canEdit && editing !== 'new' ? (
          <button type="button" onClick={() => setEditing('new')}>
            New connection
          </button>
        ) : null}
      </div>
      {editing === 'new' ? (
        <ConnectionForm
          onDone={() => {
            setEditing(undefined);
            reload();
          }}
        />
      ) : null}
      <FormProblem problem={remove.problem} />
      {list.state === 'loading' ? <Loading what="connections" /> : null}
      {list.state === 'error' ? <ErrorState problem={list.problem} retry={reload} /> : null}
      {list.state === 'ready' && list.data.connections.length === 0 ? (
        <Empty>No connections yet: `http` and `llm` nodes name one.</Empty>
      ) : null}
      {list.state === 'ready'
        ? list.data.connections.map((c) => (
            <article key={c.id} className="card" aria-labelledby={`conn-${c.name}`} data-connection={c.name}>
              <div className="panel-head">
                <h2 id={`conn-${c.name}`}>
                  <code>{c.name}</code> <span className="badge">{c.type}</span>
                </h2>
                {canEdit ? (
                  <span className="actions">
                    <button type="button" onClick={() => setEditing(editing === c.name ? undefined : c.name)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={async () => {
                        const done = await remove.run(() =>
                          api.DELETE('/api/admin/v1/connections/{name}', { params: { path: { name: c.name } } }),
                        );
                        if (done) reload();
                      }}
                    >
                      Delete
                    </button>
                  </span>
                ) : null}
              </div>
              <p>
                {c.baseUrl} · auth <code>{c.authType}</code> · secret{' '}
                {c.hasSecret ? (
                  <span className="badge ok">stored (write-only)</span>
                ) : (
                  <span className="badge">none</span>
                )}
              </p>
              {editing === c.name ? (
                <ConnectionForm
                  connection={c}
                  onDone={() => {
                    setEditing(undefined);
                    reload();
                  }}
                />
              ) : null}
              {canEdit ? <TestConnection name={c.name} /> : null}
            </article>
          ))
        : null}
    </section>
  );
}

function ConnectionForm({ connection, onDone }: { connection?: Connection; onDone: () => void }) {
  const [d, setD] = useState(() => draftOf(connection));
  const save = useAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((x) => ({ ...x, [key]: value }));
  async function submit(event: FormEvent) {
    event.preventDefault();
    const settings = settingsOf(d);
    const done = connection
      ? await save.run(() =>
          api.PATCH('/api/admin/v1/connections/{name}', {
            params: { path: { name: connection.name } },
            body: settings,
          }),
        )
      : await save.run(() => api.POST('/api/admin/v1/connections', { body: { name: d.name, ...settings } }));
    if (done) onDone();
  }
  const text = (key: keyof Draft, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={d[key]} onChange={(e) => set(key, e.target.value as never)} />
      <FieldError problem={save.problem} path={key} />
    </label>
  );
  return (
    <form
      className="card"
      onSubmit={(e) => void submit(e)}
      aria-label={connection ? `Edit ${connection.name}` : 'New connection'}
    >
      <FormProblem problem={save.problem} />
      <div className="grid2">
        {connection ? null : text('name', 'Name')}
        <label>
          Type
          <select value={d.type} onChange={(e) => set('type', e.target.value as Draft['type'])}>
            <option value="http">http (for http nodes)</option>
            <option value="openai">openai (OpenAI-compatible, for llm nodes)</option>
          </select>
          <FieldError problem={save.problem} path="type" />
        </label>
        {text('baseUrl', 'Base URL', 'url')}
        <label>
          Auth
          <select value={d.authType} onChange={(e) => set('authType', e.target.value as AuthType)}>
            {AUTH_TYPES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <FieldError problem={save.problem} path="authType" />
        </label>
        {d.authType === 'header' ? text('headerName', 'Header name') : null}
        {d.authType === 'basic' ? text('username', 'Username') : null}
        {d.authType === 'oauth2_client_credentials' ? (
          <>
            {text('tokenUrl', 'Token URL', 'url')}
            {text('clientId', 'Client id')}
            {text('scope', 'Scope')}
            <label>
              Client authentication
              <select value={d.clientAuth} onChange={(e) => set('clientAuth', e.target.value as Draft['clientAuth'])}>
                <option value="">(default)</option>
                <option value="basic">basic</option>
                <option value="post">post</option>
              </select>
            </label>
          </>
        ) : null}
        {d.authType !== 'none' ? (
          <label>
            {SECRET_LABEL[d.authType]} (write-only{connection?.hasSecret ? '; empty keeps the stored one' : ''})
            <input
              type="password"
              autoComplete="off"
              value={d.secret}
              onChange={(e) => set('secret', e.target.value)}
            />
            <FieldError problem={save.problem} path="secret" />
          </label>
        ) : null}
        {d.type === 'openai' ? text('defaultModel', 'Default model') : null}
      </div>
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          {connection ? 'Save connection' : 'Create connection'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One GET through the connection, its answer shown as is: a failure is an answer here, not an error. */
function TestConnection({ name }: { name: string }) {
  const [path, setPath] = useState('');
  const [answer, setAnswer] = useState<ConnectionTest | undefined>();
  const test = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setAnswer(undefined);
    const result = await test.run(() =>
      api.POST('/api/admin/v1/connections/{name}/test', {
        params: { path: { name } },
        body: path ? { path } : {},
      }),
    );
    if (result) setAnswer(result);
  }
  return (
    <form className="filters" onSubmit={(e) => void submit(e)} aria-label={`Test ${name}`}>
      <label>
        Path to GET (optional)
        <input value={path} placeholder="/health" onChange={(e) => setPath(e.target.value)} />
      </label>
      <button type="submit" disabled={test.busy}>
        Test
      </button>
      <FormProblem problem={test.problem} />
      {answer ? (
        <output className={answer.ok ? 'test-ok' : 'test-failed'} data-testid="test-answer">
          {answer.ok ? 'OK' : 'Failed'}
          {answer.status !== undefined ? ` · HTTP ${answer.status}` : ''} · {answer.latencyMs} ms
          {answer.error ? (
            <>
              {' '}
              · <code>{answer.error.code}</code> {answer.error.message}
              {answer.error.bodyExcerpt ? <pre className="code">{answer.error.bodyExcerpt}</pre> : null}
            </>
          ) : null}
        </output>
      ) : null}
    </form>
  );
}
