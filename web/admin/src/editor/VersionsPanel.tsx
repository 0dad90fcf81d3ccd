import { useState } from 'react';
import { api, type FlowDiff, problemOf } from '../api/client.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useLoad } from '../ui/useLoad.js';

/** A flow's versions: a diff of any of them against the draft (drawn on the canvas too) and rollback. */
export function VersionsPanel({
  flowId,
  canEdit,
  onDiff,
  onRolledBack,
}: {
  flowId: string;
  canEdit: boolean;
  onDiff(diff: FlowDiff | undefined): void;
  onRolledBack(): void;
}) {
  const [versions, reload] = useLoad(
    () => api.GET('/api/admin/v1/flows/{id}/versions', { params: { path: { id: flowId } } }),
    [flowId],
  );
  const [diff, setDiff] = useState<FlowDiff | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  async function showDiff(version: number) {
    const { data, error, response } = await api.GET('/api/admin/v1/flows/{id}/diff', {
      params: { path: { id: flowId }, query: { from: version, to: 'draft' } },
    });
    if (!data) return setMessage(problemOf(error, response).message);
    setDiff(data);
    onDiff(data);
  }

  async function rollback(version: number) {
    const { data, error, response } = await api.POST('/api/admin/v1/flows/{id}/rollback', {
      params: { path: { id: flowId } },
      body: { version },
    });
    setMessage(data ? `Version ${data.version} is published again.` : problemOf(error, response).message);
    reload();
    onRolledBack();
  }

  return (
    <section className="versions" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {versions.state === 'loading' ? <Loading what="versions" /> : null}
      {versions.state === 'error' ? <ErrorState problem={versions.problem} retry={reload} /> : null}
      {versions.state === 'ready' ? (
        versions.data.versions.length === 0 ? (
          <p className="muted">Not published yet.</p>
        ) : (
          <ul>
            {versions.data.versions.map((v) => (
              <li key={v.id}>
                v{v.version} {v.published ? <span className="badge ok">published</span> : null}{' '}
                <time dateTime={v.createdAt}>{new Date(v.createdAt).toLocaleString()}</time>{' '}
                <button type="button" onClick={() => void showDiff(v.version)}>
                  Diff with draft
                </button>
                {canEdit && !v.published ? (
                  <button type="button" onClick={() => void rollback(v.version)}>
                    Roll back to v{v.version}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )
      ) : null}
      {diff ? (
        <div className="diff" aria-live="polite">
          <h3>
            v{diff.from} → {String(diff.to)}
          </h3>
          <DiffList label="Nodes added" items={diff.nodes.added} />
          <DiffList label="Nodes removed" items={diff.nodes.removed} />
          <DiffList label="Nodes changed" items={diff.nodes.changed} />
          <DiffList label="Edges added" items={diff.edges.added} />
          <DiffList label="Edges removed" items={diff.edges.removed} />
          {diff.startChanged ? <p>The start node changed.</p> : null}
          {diff.intentChanged ? <p>The intent changed.</p> : null}
          <button
            type="button"
            onClick={() => {
              setDiff(undefined);
              onDiff(undefined);
            }}
          >
            Hide diff
          </button>
        </div>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}

function DiffList({ label, items }: { label: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <p>
      {label}:{' '}
      {items.map((i) => (
        <code key={i}>{i} </code>
      ))}
    </p>
  );
}
