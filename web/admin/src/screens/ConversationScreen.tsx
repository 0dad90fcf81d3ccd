import { api } from '../api/client.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useLoad } from '../ui/useLoad.js';

/** A conversation: what the visitor sent (untrusted), what the flows answered, and how each execution ran. */
export default function ConversationScreen({ conversationId }: { conversationId: string }) {
  const [view, reload] = useLoad(
    () => api.GET('/api/admin/v1/conversations/{id}', { params: { path: { id: conversationId }, query: {} } }),
    [conversationId],
  );
  if (view.state === 'loading') return <Loading what="the conversation" />;
  if (view.state === 'error') return <ErrorState problem={view.problem} retry={reload} />;
  const c = view.data;
  return (
    <section aria-labelledby="conversation-title" className="conversation">
      <h1 id="conversation-title">Conversation with {c.customerId}</h1>
      <p className="muted">
        {c.conversationId} · started {new Date(c.createdAt).toLocaleString()}
      </p>
      <h2>
        Variables <span className="badge warn">untrusted: sent by the widget</span>
      </h2>
      <pre className="code untrusted" data-testid="conversation-variables">
        {JSON.stringify(c.variables, null, 2)}
      </pre>
      <h2>Transcript</h2>
      <pre className="code" data-testid="transcript">
        {JSON.stringify(c.transcript.items, null, 2)}
      </pre>
      <h2>Executions</h2>
      {c.executionDetails.map((e) => (
        <article key={e.executionId} className="execution" aria-label={`Execution ${e.intentName}`}>
          <h3>
            {e.intentName} <span className={`badge status-${e.status}`}>{e.status}</span>
          </h3>
          <p className="muted">
            {e.executionId} · {e.state.steps} steps · active {e.timings.activeMs} ms
            {e.error ? ` · ${e.error.code}: ${e.error.message}` : ''}
            {e.reason ? ` · ${e.reason}` : ''}
          </p>
          <p>
            Token usage:{' '}
            {e.tokenUsage
              ? `${e.tokenUsage.total_tokens} tokens (${e.tokenUsage.prompt_tokens} prompt, ${e.tokenUsage.completion_tokens} completion) on ${e.tokenUsage.model}`
              : 'none (no LLM ran)'}
          </p>
          <h4>
            Variables <span className="badge warn">untrusted</span>
          </h4>
          <pre className="code untrusted">{JSON.stringify(e.state.vars, null, 2)}</pre>
          <h4>Step trace{e.traceDropped > 0 ? ` (${e.traceDropped} older steps not kept)` : ''}</h4>
          <table className="list trace" aria-label="Step trace">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Step</th>
              </tr>
            </thead>
            <tbody>
              {e.trace.map((step, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: trace entries have no id and never reorder.
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <code>{JSON.stringify(step)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Blocks</h4>
          <pre className="code">{JSON.stringify(e.blocks, null, 2)}</pre>
        </article>
      ))}
    </section>
  );
}
