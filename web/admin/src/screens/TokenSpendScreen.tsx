import { useState } from 'react';
import { AnalyticsNav } from '../analytics/AnalyticsNav.js';
import { PRESETS, presetLabel } from '../analytics/draft.js';
import { ResultView } from '../analytics/ResultView.js';
import { type AnalyticsDefinition, api } from '../api/client.js';
import { ErrorState, Loading } from '../ui/States.js';
import { useLoad } from '../ui/useLoad.js';

type Preset = (typeof PRESETS)[number];
type SpendBy = 'day' | 'model' | 'flow';

const SPEND_METRICS = ['llm_calls', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_micros'] as const;

/** The token-spend query for a period: per day (buckets), or per model or flow (one total row each). */
export function spendDefinition(preset: Preset, by: SpendBy): AnalyticsDefinition {
  return {
    metrics: [...SPEND_METRICS],
    dimensions: by === 'day' ? [] : [by],
    range: { preset },
    ...(by === 'day' ? { granularity: 'day' as const } : {}),
  };
}

/** Cost is kept in µUSD; people read dollars. */
function money(column: string, value: number): string {
  return column === 'cost_micros' ? `$${(value / 1e6).toFixed(4)}` : String(value);
}

/** LLM tokens and cost per day, model or flow, from the analytics query (test-pane calls are never counted). */
export default function TokenSpendScreen() {
  const [preset, setPreset] = useState<Preset>('last_30_days');
  const [by, setBy] = useState<SpendBy>('day');
  const [answer, retry] = useLoad(
    () => api.POST('/api/admin/v1/analytics/query', { body: spendDefinition(preset, by) }),
    [preset, by],
  );
  return (
    <section aria-labelledby="tokens-title" className="page">
      <h1 id="tokens-title">Token spend</h1>
      <AnalyticsNav current="tokens" />
      <fieldset className="filters">
        <legend className="sr-only">Token spend view</legend>
        <label>
          Period
          <select value={preset} onChange={(e) => setPreset(e.target.value as Preset)}>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {presetLabel(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select value={by} onChange={(e) => setBy(e.target.value as SpendBy)}>
            <option value="day">day</option>
            <option value="model">model</option>
            <option value="flow">flow</option>
          </select>
        </label>
      </fieldset>
      {answer.state === 'loading' ? <Loading what="token spend" /> : null}
      {answer.state === 'error' ? <ErrorState problem={answer.problem} retry={retry} /> : null}
      {answer.state === 'ready' ? (
        <>
          <p className="muted">
            Cost is in US dollars (the API answers µUSD in <code>cost_micros</code>). Chats in the test pane are not
            counted.
          </p>
          <ResultView result={answer.data} label={`Token spend per ${by}`} format={money} />
        </>
      ) : null}
    </section>
  );
}
