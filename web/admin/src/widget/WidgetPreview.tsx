import type { CSSProperties } from 'react';

/** The appearance section's fields (DESIGN §9, src/wire/appearanceSchema.ts): every one optional. */
export interface Appearance {
  colors?: { primary?: string; background?: string; text?: string; accent?: string };
  position?: 'bottom-right' | 'bottom-left';
  greeting?: string;
  launcherLabel?: string;
}

// The reference widget's own defaults when a key is left out, so the preview looks like an unstyled widget.
export const WIDGET_DEFAULTS = { primary: '#1a73e8', background: '#ffffff', text: '#1d2330', accent: '#1a73e8' };

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const colour = (value: string | undefined, fallback: string) => (value && HEX.test(value) ? value : fallback);

/**
 * A self-contained mock-up of the reference widget's look, drawn from the same appearance fields it reads from
 * `GET /config/appearance`: an open panel (header, greeting, quick questions, composer) above its launcher. It does
 * not load the widget's code, so it shows the draft before anything is published.
 */
export function WidgetPreview({ appearance, quickQuestions }: { appearance: Appearance; quickQuestions: string[] }) {
  const c = appearance.colors ?? {};
  const style = {
    '--wp-primary': colour(c.primary, WIDGET_DEFAULTS.primary),
    '--wp-background': colour(c.background, WIDGET_DEFAULTS.background),
    '--wp-text': colour(c.text, WIDGET_DEFAULTS.text),
    '--wp-accent': colour(c.accent, WIDGET_DEFAULTS.accent),
  } as CSSProperties;
  const side = appearance.position === 'bottom-left' ? 'left' : 'right';
  const launcher = appearance.launcherLabel ?? 'Chat with us';
  return (
    <figure className="widget-preview" data-side={side} style={style} aria-label="Widget preview">
      <div className="wp-page" aria-hidden="true">
        <div className="wp-panel">
          <div className="wp-header">Chat</div>
          <div className="wp-body">
            <p className="wp-bot" data-testid="preview-greeting">
              {appearance.greeting ?? 'Hi! How can we help?'}
            </p>
            <p className="wp-user">Where is my order?</p>
            <div className="wp-chips">
              {quickQuestions.slice(0, 3).map((q) => (
                <span key={q} className="wp-chip">
                  {q}
                </span>
              ))}
            </div>
          </div>
          <div className="wp-composer">
            <span>Type a message…</span>
            <span className="wp-send">Send</span>
          </div>
        </div>
        <span className="wp-launcher" data-testid="preview-launcher">
          {launcher}
        </span>
      </div>
      <figcaption className="muted">Preview of the draft (not yet published)</figcaption>
    </figure>
  );
}
