import { type FormEvent, useState } from 'react';
import { api, problemOf, type TestSession, type TurnAnswer } from '../api/client.js';

type Block = TurnAnswer['blocks'][number];
type Wait = NonNullable<TurnAnswer['wait']>;
type InputField = Extract<Wait, { type: 'input' }>['fields'][number];

interface Pending {
  executionId: string;
  waitToken?: string;
  wait?: Wait;
  status: string;
}

/**
 * The test pane (DESIGN §16): a session on a snapshot of the saved draft, talking to the ordinary public chat
 * endpoints as a widget would, so what works here works for visitors.
 */
export function TestChat({
  flowId,
  intentName,
  onBeforeStart,
}: {
  flowId: string;
  intentName: string;
  onBeforeStart(): Promise<boolean>;
}) {
  const [session, setSession] = useState<TestSession | undefined>();
  const [blocks, setBlocks] = useState<Block[]>([]);
  const [pending, setPending] = useState<Pending | undefined>();
  const [variables, setVariables] = useState('{}');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const authHeader = (s: TestSession) => ({ Authorization: `Bearer ${s.sessionToken}` });

  function take(answer: TurnAnswer | undefined) {
    if (!answer) return;
    setBlocks((seen) => {
      const ids = new Set(seen.map((b) => b.id));
      return [...seen, ...answer.blocks.filter((b) => !ids.has(b.id))];
    });
    setPending({
      executionId: answer.executionId,
      status: answer.status,
      ...(answer.waitToken ? { waitToken: answer.waitToken } : {}),
      ...(answer.wait ? { wait: answer.wait } : {}),
    });
    if (answer.error) setError(`${answer.error.code}: ${answer.error.message}`);
    if (answer.wait?.type === 'time') void poll(answer.executionId, answer.cursor);
  }

  /** A waiting_time turn (http, llm, task, delay) continues in a job: long-poll until it waits for input or ends. */
  async function poll(executionId: string, cursor: string) {
    if (!session) return;
    let after = cursor;
    for (;;) {
      const {
        data,
        error: failure,
        response,
      } = await api.GET('/api/public/v1/chat/executions/{id}', {
        params: { path: { id: executionId }, query: { after, waitSeconds: 20 } },
        headers: authHeader(session),
      });
      if (!data) {
        setError(problemOf(failure, response).message);
        return;
      }
      after = data.cursor;
      take({ ...data, conversationId: session.conversationId } as TurnAnswer);
      if (data.status !== 'waiting_time' && data.status !== 'running') return;
    }
  }

  async function start() {
    setBusy(true);
    setError(undefined);
    setBlocks([]);
    setPending(undefined);
    try {
      if (!(await onBeforeStart())) return;
      let vars: Record<string, unknown>;
      try {
        vars = JSON.parse(variables || '{}') as Record<string, unknown>;
      } catch {
        setError('The variables are not valid JSON.');
        return;
      }
      const opened = await api.POST('/api/admin/v1/flows/{id}/test-sessions', { params: { path: { id: flowId } } });
      if (!opened.data) {
        setError(problemOf(opened.error, opened.response).message);
        return;
      }
      setSession(opened.data);
      const turn = await api.POST('/api/public/v1/chat/messages', {
        body: { intentName, ...(text ? { text } : {}), variables: vars },
        headers: authHeader(opened.data),
      });
      if (!turn.data) setError(problemOf(turn.error, turn.response).message);
      take(turn.data);
    } finally {
      setBusy(false);
    }
  }

  async function resume(values: Record<string, unknown>) {
    if (!session || !pending?.waitToken) return;
    setBusy(true);
    setError(undefined);
    const turn = await api.POST('/api/public/v1/chat/messages', {
      body: { waitToken: pending.waitToken, executionId: pending.executionId, values },
      headers: authHeader(session),
    });
    setBusy(false);
    if (!turn.data) setError(problemOf(turn.error, turn.response).message);
    take(turn.data);
  }

  return (
    <section className="test-chat" aria-labelledby="test-chat-title">
      <h2 id="test-chat-title">Test chat (draft)</h2>
      <label>
        Conversation variables (JSON, untrusted)
        <textarea className="code" rows={2} value={variables} onChange={(e) => setVariables(e.target.value)} />
      </label>
      <label>
        First message (optional)
        <input type="text" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" onClick={() => void start()} disabled={busy}>
        {session ? 'Restart test' : 'Start test'}
      </button>
      <ol className="transcript" aria-live="polite" aria-label="Test transcript">
        {blocks.map((block) => (
          <li key={block.id} className={`block block-${block.type}`}>
            <BlockView block={block} onChoose={(value) => void resume(choiceValues(pending, value))} />
          </li>
        ))}
      </ol>
      {pending ? (
        <p className="status" data-status={pending.status}>
          Status: <strong>{pending.status}</strong>
          {pending.wait?.type === 'time' ? (
            <>
              {' '}
              <progress aria-label="Waiting for a job" /> waiting
              {pending.wait.resumeAt ? ` until ${new Date(pending.wait.resumeAt).toLocaleTimeString()}` : ''}
            </>
          ) : null}
        </p>
      ) : null}
      {pending?.wait?.type === 'input' && !isChoice(pending.wait.fields) ? (
        <WaitForm fields={pending.wait.fields} busy={busy} onSubmit={(values) => void resume(values)} />
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** A choice waits with one select field named after its node; its buttons answer it. */
function isChoice(fields: InputField[]): boolean {
  return fields.length === 1 && fields[0]!.type === 'select';
}

function choiceValues(pending: Pending | undefined, value: string): Record<string, unknown> {
  const field = pending?.wait?.type === 'input' ? pending.wait.fields[0] : undefined;
  return field ? { [field.name]: value } : {};
}

function BlockView({ block, onChoose }: { block: Block; onChoose(value: string): void }) {
  const b = block as Block & Record<string, unknown>;
  switch (block.type) {
    case 'text':
    case 'markdown':
      // Markdown shown as its source text: no HTML from a flow ever reaches the page.
      return <p className="text">{String(b.text ?? '')}</p>;
    case 'buttons':
    case 'quick_replies': {
      const options = (b.options as { label: string; value: string }[] | undefined) ?? [];
      return (
        <div className="options">
          {b.text ? <p>{String(b.text)}</p> : null}
          {options.map((o) => (
            <button type="button" key={o.value} onClick={() => onChoose(o.value)}>
              {o.label}
            </button>
          ))}
        </div>
      );
    }
    case 'image':
      return <img src={String(b.url)} alt={String(b.alt ?? '')} />;
    case 'link':
    case 'file':
      return (
        <a href={String(b.url)} target="_blank" rel="noopener noreferrer">
          {String(b.title ?? b.text ?? b.name ?? b.url)}
        </a>
      );
    case 'form':
      return <p className="muted">Form: {String(b.submitLabel ?? 'Submit')} (fill it in below)</p>;
    case 'typing':
      return <p className="muted">typing…</p>;
    case 'handoff':
      return <p className="muted">Handed off to a person{b.queue ? ` (${String(b.queue)})` : ''}.</p>;
    case 'error':
      return (
        <p className="error">
          {String(b.code)}: {String(b.message)}
        </p>
      );
    default:
      // card, carousel, product: shown as their data, enough to check a flow's output.
      return <pre className="code">{JSON.stringify(block, null, 2)}</pre>;
  }
}

function WaitForm({
  fields,
  busy,
  onSubmit,
}: {
  fields: InputField[];
  busy: boolean;
  onSubmit(values: Record<string, unknown>): void;
}) {
  const [values, setValues] = useState<Record<string, unknown>>({});
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(values);
  }
  return (
    <form className="wait-form" onSubmit={submit} aria-label="Answer the form">
      {fields
        .filter((f) => f.type !== 'hidden')
        .map((f) => (
          <label key={f.name} htmlFor={`wait-${f.name}`}>
            {f.label}
            {f.type === 'checkbox' ? (
              <input
                id={`wait-${f.name}`}
                type="checkbox"
                onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })}
              />
            ) : f.type === 'select' && f.options ? (
              <select
                id={`wait-${f.name}`}
                required={f.required}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              >
                <option value="" />
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`wait-${f.name}`}
                type={
                  f.type === 'number' ? 'number' : f.type === 'email' ? 'email' : f.type === 'date' ? 'date' : 'text'
                }
                required={f.required}
                placeholder={f.placeholder}
                onChange={(e) =>
                  setValues({ ...values, [f.name]: f.type === 'number' ? Number(e.target.value) : e.target.value })
                }
              />
            )}
          </label>
        ))}
      <button type="submit" disabled={busy}>
        Send
      </button>
    </form>
  );
}
