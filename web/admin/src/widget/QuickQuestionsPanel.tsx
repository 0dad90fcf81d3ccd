import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { FieldError, FormProblem } from '../ui/FieldError.js';
import { Empty, ErrorState, Loading } from '../ui/States.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Quick questions in the order widgets show them (position, then id), each with the page types it shows on. */
export function QuickQuestionsPanel({
  canEdit,
  intents,
  onChanged,
}: {
  canEdit: boolean;
  intents: string[];
  onChanged: () => void;
}) {
  const [questions, reload] = useLoad(() => api.GET('/api/admin/v1/quick-questions'), []);
  const add = useAction();
  const remove = useAction();
  const [text, setText] = useState('');
  const [intentName, setIntentName] = useState('');
  const [pageTypes, setPageTypes] = useState('');
  const [position, setPosition] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const pages = splitList(pageTypes);
    const created = await add.run(() =>
      api.POST('/api/admin/v1/quick-questions', {
        body: {
          text,
          ...(intentName ? { intentName } : {}),
          ...(pages.length > 0 ? { pageTypes: pages } : {}),
          ...(position.trim() ? { position: Number(position) } : {}),
        },
      }),
    );
    if (created) {
      setText('');
      setPageTypes('');
      setPosition('');
      reload();
      onChanged();
    }
  }

  async function onRemove(id: string) {
    if (
      (await remove.run(() => api.DELETE('/api/admin/v1/quick-questions/{id}', { params: { path: { id } } }))) !==
      undefined
    ) {
      reload();
      onChanged();
    }
  }

  return (
    <section aria-labelledby="qq-title" className="panel">
      <h2 id="qq-title">Quick questions</h2>
      <p className="muted">
        Shown in the widget before the first message, by page type; widgets see edits after a publish.
      </p>
      {canEdit ? (
        <form className="card" onSubmit={(e) => void submit(e)} aria-label="Add quick question">
          <FormProblem problem={add.problem} />
          <div className="grid2">
            <label>
              Question
              <input required value={text} onChange={(e) => setText(e.target.value)} />
              <FieldError problem={add.problem} path="text" />
            </label>
            <label>
              Starts intent
              <select value={intentName} onChange={(e) => setIntentName(e.target.value)}>
                <option value="">(none: sent as a message)</option>
                {intents.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
              <FieldError problem={add.problem} path="intentName" />
            </label>
            <label>
              Page types (comma separated; empty: every page)
              <input value={pageTypes} placeholder="product, cart" onChange={(e) => setPageTypes(e.target.value)} />
              <FieldError problem={add.problem} path="pageTypes" />
            </label>
            <label>
              Position (empty: 0; lower shows first)
              <input type="number" value={position} onChange={(e) => setPosition(e.target.value)} />
              <FieldError problem={add.problem} path="position" />
            </label>
          </div>
          <button type="submit" disabled={add.busy}>
            Add question
          </button>
        </form>
      ) : null}
      <FormProblem problem={remove.problem} />
      {questions.state === 'loading' ? <Loading what="quick questions" /> : null}
      {questions.state === 'error' ? <ErrorState problem={questions.problem} retry={reload} /> : null}
      {questions.state === 'ready' && questions.data.quickQuestions.length === 0 ? (
        <Empty>No quick questions yet.</Empty>
      ) : null}
      {questions.state === 'ready' && questions.data.quickQuestions.length > 0 ? (
        <ol className="qq-list">
          {questions.data.quickQuestions.map((q) => (
            <li key={q.id}>
              <span className="qq-text">{q.text}</span> <span className="muted">#{q.position}</span>{' '}
              {q.intentName ? <span className="badge">{q.intentName}</span> : null}{' '}
              <span className="muted">{q.pageTypes.length > 0 ? `on ${q.pageTypes.join(', ')}` : 'on every page'}</span>{' '}
              {canEdit ? (
                <button
                  type="button"
                  className="danger"
                  onClick={() => void onRemove(q.id)}
                  aria-label={`Remove “${q.text}”`}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
