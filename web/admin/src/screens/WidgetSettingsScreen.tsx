import { useState } from 'react';
import { api, type Published } from '../api/client.js';
import { FormProblem } from '../ui/FieldError.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useSession } from '../ui/session.js';
import { useAction } from '../ui/useAction.js';
import { useLoad } from '../ui/useLoad.js';
import { AppearancePanel } from '../widget/AppearancePanel.js';
import { ConfigSectionsPanel } from '../widget/ConfigSectionsPanel.js';
import { QuickQuestionsPanel } from '../widget/QuickQuestionsPanel.js';
import { WidgetKeysPanel } from '../widget/WidgetKeysPanel.js';

const PART_NAMES: Record<Published['changed'][number], string> = {
  quickQuestions: 'quick questions',
  config: 'config sections',
  forms: 'form schemas',
};

/**
 * Widget settings (DESIGN §9): keys take effect at once; quick questions and config sections reach widgets only
 * when published, so the bar asks the service what a publish would change now, and the publish answer names it.
 */
export default function WidgetSettingsScreen() {
  const { canEdit } = useSession();
  const [round, setRound] = useState(0);
  const [flows] = useLoad(() => api.GET('/api/admin/v1/flows'), []);
  const [forms] = useLoad(() => api.GET('/api/admin/v1/forms'), []);
  const [sections, reloadSections] = useLoad(() => api.GET('/api/admin/v1/config'), []);
  const [questions] = useLoad(() => api.GET('/api/admin/v1/quick-questions'), [round]);
  const [pending, reloadPending] = useLoad(() => api.GET('/api/admin/v1/widget-settings'), [round]);
  const [published, setPublished] = useState<Published | undefined>();
  const publish = useAction();
  const edited = () => {
    setPublished(undefined);
    setRound((n) => n + 1);
  };

  async function onPublish() {
    const answer = await publish.run(() => api.POST('/api/admin/v1/widget-settings/publish'));
    if (answer) {
      setPublished(answer);
      reloadPending();
    }
  }

  const intents = flows.state === 'ready' ? flows.data.flows.map((f) => f.intentName) : [];
  const formCodes = forms.state === 'ready' ? forms.data.forms.map((f) => f.code) : [];
  return (
    <section aria-labelledby="widget-title" className="page">
      <div className="editor-bar">
        <h1 id="widget-title">Widget settings</h1>
        <span className="spacer" />
        {canEdit ? (
          <>
            <span className="muted" data-testid="pending" aria-live="polite">
              {pending.state === 'ready'
                ? pending.data.changed.length > 0
                  ? `${pending.data.published ? 'Changed since the last publish' : 'Never published'}: ${pending.data.changed.map((p) => PART_NAMES[p]).join(', ')}`
                  : 'Widgets have the latest settings'
                : null}
            </span>
            <button type="button" onClick={() => void onPublish()} disabled={publish.busy}>
              Publish widget settings
            </button>
          </>
        ) : null}
      </div>
      <FormProblem problem={publish.problem} />
      {published ? (
        <p role="status" className="notice" data-testid="published">
          Published.{' '}
          {published.changed.length > 0
            ? `Changed since the last publish: ${published.changed.map((p) => PART_NAMES[p]).join(', ')}.`
            : 'Nothing changed since the last publish.'}{' '}
          <span className="muted">Content hash {published.contentHash.slice(0, 12)}…</span>
        </p>
      ) : null}
      <WidgetKeysPanel canEdit={canEdit} intents={intents} forms={formCodes} />
      <QuickQuestionsPanel canEdit={canEdit} intents={intents} onChanged={edited} />
      {sections.state === 'loading' ? <Loading what="config sections" /> : null}
      {sections.state === 'error' ? <ErrorState problem={sections.problem} retry={reloadSections} /> : null}
      {sections.state === 'ready' ? (
        <>
          <AppearancePanel
            section={sections.data.sections.find((s) => s.section === 'appearance')}
            quickQuestions={questions.state === 'ready' ? questions.data.quickQuestions.map((q) => q.text) : []}
            canEdit={canEdit}
            onSaved={edited}
          />
          <ConfigSectionsPanel
            sections={sections.data.sections}
            canEdit={canEdit}
            onSaved={() => {
              edited();
              reloadSections();
            }}
          />
        </>
      ) : null}
    </section>
  );
}
