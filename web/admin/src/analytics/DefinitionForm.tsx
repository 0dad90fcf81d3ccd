import type { ApiProblem } from '../api/client.js';
import { FieldError } from '../ui/FieldError.js';
import { DIMENSIONS, type Draft, FILTERS, GRANULARITIES, METRICS, PRESETS, presetLabel } from './draft.js';

/**
 * The builder's inputs: metrics, dimensions, filters, range (preset or days), granularity, time zone. `problem`'s
 * field paths are the query's own (`metrics`, `filters.model`, `range`…), shown beside the inputs they concern.
 */
export function DefinitionForm({
  draft,
  onChange,
  problem,
  disabled,
}: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  problem: ApiProblem | undefined;
  disabled?: boolean;
}) {
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => onChange({ ...draft, [key]: value });
  const toggle = <T extends string>(list: T[], item: T, on: boolean): T[] =>
    on ? [...list, item] : list.filter((x) => x !== item);
  return (
    <fieldset className="definition" disabled={disabled}>
      <legend className="sr-only">Report definition</legend>
      <fieldset aria-describedby="err-metrics">
        <legend>Metrics</legend>
        <div className="checks">
          {METRICS.map((m) => (
            <label className="check" key={m}>
              <input
                type="checkbox"
                checked={draft.metrics.includes(m)}
                onChange={(e) => set('metrics', toggle(draft.metrics, m, e.target.checked))}
              />
              {m}
            </label>
          ))}
        </div>
        <FieldError problem={problem} path="metrics" id="err-metrics" />
      </fieldset>
      <fieldset aria-describedby="err-dimensions">
        <legend>Split by</legend>
        <div className="checks">
          {DIMENSIONS.map((d) => (
            <label className="check" key={d}>
              <input
                type="checkbox"
                checked={draft.dimensions.includes(d)}
                onChange={(e) => set('dimensions', toggle(draft.dimensions, d, e.target.checked))}
              />
              {d}
            </label>
          ))}
        </div>
        <FieldError problem={problem} path="dimensions" id="err-dimensions" />
      </fieldset>
      <fieldset>
        <legend>Filters (comma-separated values; a row matches any of them)</legend>
        <div className="grid2">
          {FILTERS.map((f) => (
            <label key={f}>
              Filter {f}
              <input
                value={draft.filters[f]}
                aria-describedby={`err-filter-${f}`}
                onChange={(e) => set('filters', { ...draft.filters, [f]: e.target.value })}
              />
              <FieldError problem={problem} path={`filters.${f}`} id={`err-filter-${f}`} />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset aria-describedby="err-range">
        <legend>Range</legend>
        <div className="checks">
          <label className="check">
            <input
              type="radio"
              name="range-kind"
              checked={draft.rangeKind === 'preset'}
              onChange={() => set('rangeKind', 'preset')}
            />
            Relative
          </label>
          <label className="check">
            <input
              type="radio"
              name="range-kind"
              checked={draft.rangeKind === 'absolute'}
              onChange={() => set('rangeKind', 'absolute')}
            />
            Fixed days
          </label>
        </div>
        {draft.rangeKind === 'preset' ? (
          <label>
            Period
            <select value={draft.preset} onChange={(e) => set('preset', e.target.value as Draft['preset'])}>
              {PRESETS.map((p) => (
                <option key={p} value={p}>
                  {presetLabel(p)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <div className="grid2">
            <label>
              From day
              <input type="date" required value={draft.from} onChange={(e) => set('from', e.target.value)} />
            </label>
            <label>
              To day (inclusive)
              <input type="date" required value={draft.to} onChange={(e) => set('to', e.target.value)} />
            </label>
          </div>
        )}
        <FieldError problem={problem} path="range" id="err-range" />
      </fieldset>
      <div className="grid2">
        <label>
          Granularity
          <select
            value={draft.granularity}
            aria-describedby="err-granularity"
            onChange={(e) => set('granularity', e.target.value as Draft['granularity'])}
          >
            <option value="">none (totals)</option>
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
          <FieldError problem={problem} path="granularity" id="err-granularity" />
        </label>
        <label>
          Time zone (IANA name; empty: the tenant’s)
          <input
            value={draft.timeZone}
            placeholder="Europe/Paris"
            aria-describedby="err-timezone"
            onChange={(e) => set('timeZone', e.target.value)}
          />
          <FieldError problem={problem} path="timeZone" id="err-timezone" />
        </label>
      </div>
    </fieldset>
  );
}
