import { css } from 'lit';

// Colours come from the public `appearance` section as custom properties set on the host; a page can also set
// them itself (`comerix-chat { --comerix-primary: #c00 }`), which wins over the defaults but not over appearance.
export const styles = css`
  :host {
    --cx-primary: var(--comerix-primary, #1a73e8);
    --cx-background: var(--comerix-background, #ffffff);
    --cx-text: var(--comerix-text, #1f2328);
    --cx-accent: var(--comerix-accent, var(--cx-primary));
    position: fixed;
    bottom: 20px;
    right: 20px;
    z-index: 2147483000;
    font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
    color: var(--cx-text);
  }
  :host([data-position='bottom-left']) { right: auto; left: 20px; }
  :host([inline]) { position: static; }
  * { box-sizing: border-box; }
  button { font: inherit; cursor: pointer; }
  button:disabled { cursor: default; opacity: 0.55; }
  :focus-visible { outline: 3px solid var(--cx-accent); outline-offset: 2px; }
  .launcher {
    background: var(--cx-primary); color: #fff; border: 0; border-radius: 999px; padding: 12px 20px;
    box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); font-weight: 600;
  }
  .panel {
    width: min(380px, calc(100vw - 40px)); height: min(600px, calc(100vh - 100px)); display: flex;
    flex-direction: column; background: var(--cx-background); border-radius: 12px; overflow: hidden;
    box-shadow: 0 8px 30px rgba(0, 0, 0, 0.25); margin-bottom: 12px;
  }
  :host([inline]) .panel { height: auto; min-height: 400px; width: 100%; max-width: 520px; }
  header { background: var(--cx-primary); color: #fff; display: flex; align-items: center; padding: 10px 14px; }
  header h2 { font-size: 16px; margin: 0; flex: 1; }
  header button { background: transparent; color: #fff; border: 0; font-size: 20px; line-height: 1; }
  .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
  .bubble { max-width: 85%; padding: 8px 12px; border-radius: 14px; overflow-wrap: anywhere; }
  /* Plain text keeps its line breaks (docs/blocks.md); template whitespace elsewhere must not show. */
  .bubble.text, .bubble.user, .bubble.streaming { white-space: pre-wrap; }
  .bubble.markdown p { margin: 0 0 6px; }
  .bubble.markdown p:last-child { margin: 0; }
  .bubble.markdown ul, .bubble.markdown ol { margin: 0; padding-left: 20px; }
  .bot { align-self: flex-start; }
  .bubble.bot { background: rgba(0, 0, 0, 0.06); }
  .bubble.user { align-self: flex-end; background: var(--cx-primary); color: #fff; }
  .bubble.error { background: #fdecea; color: #8a1c13; }
  .bubble.handoff { background: #fff6d6; }
  .bubble.streaming::after { content: '▍'; opacity: 0.6; }
  a { color: var(--cx-accent); }
  .muted { opacity: 0.7; font-size: 13px; }
  figure.image { margin: 0; padding: 4px; }
  figure.image img, .card img { max-width: 100%; border-radius: 10px; display: block; }
  .options { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .option, .action, .chip {
    border: 1px solid var(--cx-accent); color: var(--cx-accent); background: transparent; border-radius: 999px;
    padding: 5px 12px; text-decoration: none; display: inline-block;
  }
  .quick_replies .option { border-style: dashed; }
  .card { border: 1px solid rgba(0, 0, 0, 0.12); border-radius: 12px; overflow: hidden; width: 220px; flex: none;
    background: var(--cx-background); }
  .card-body { padding: 8px 12px; }
  .card h3 { font-size: 15px; margin: 0 0 4px; }
  .card p { margin: 0 0 6px; }
  .card .actions { display: flex; flex-wrap: wrap; gap: 6px; }
  .carousel { display: flex; gap: 8px; overflow-x: auto; max-width: 100%; padding-bottom: 4px; scroll-snap-type: x mandatory; }
  .carousel .card { scroll-snap-align: start; }
  .price { font-weight: 700; }
  .typing span { display: inline-block; width: 6px; height: 6px; margin: 0 2px; border-radius: 50%;
    background: currentColor; opacity: 0.5; }
  form.form { align-self: stretch; border: 1px solid rgba(0, 0, 0, 0.12); border-radius: 12px; padding: 10px; }
  form fieldset { border: 0; margin: 0; padding: 0; }
  .field { display: flex; flex-direction: column; gap: 3px; margin-bottom: 8px; border: 0; padding: 0; }
  .field input:not([type='checkbox']), .field select, .field textarea {
    font: inherit; padding: 6px 8px; border: 1px solid rgba(0, 0, 0, 0.3); border-radius: 6px; }
  [aria-invalid='true'] { border-color: #b3261e !important; }
  .field-error { color: #b3261e; font-size: 13px; }
  label.inline { display: flex; gap: 6px; align-items: center; }
  .submit, .send { background: var(--cx-accent); color: #fff; border: 0; border-radius: 8px; padding: 6px 14px; }
  .quick { padding: 0 12px 8px; display: flex; flex-wrap: wrap; gap: 6px; }
  .progress { padding: 6px 12px; font-size: 13px; display: flex; align-items: center; gap: 8px; }
  .progress .bar { flex: 1; height: 4px; border-radius: 2px; background: linear-gradient(90deg, var(--cx-primary) 30%,
    rgba(0, 0, 0, 0.1) 30%); background-size: 200% 100%; animation: cx-slide 1.2s linear infinite; }
  @keyframes cx-slide { from { background-position: 100% 0; } to { background-position: -100% 0; } }
  @media (prefers-reduced-motion: reduce) { .progress .bar { animation: none; } }
  .problem { margin: 8px 12px; padding: 10px; border-radius: 8px; background: #fdecea; color: #8a1c13; }
  .problem button { margin-top: 6px; }
  .composer { display: flex; gap: 6px; padding: 8px; border-top: 1px solid rgba(0, 0, 0, 0.1); }
  .composer select, .composer input { font: inherit; min-width: 0; padding: 6px; border: 1px solid rgba(0, 0, 0, 0.3);
    border-radius: 6px; }
  .composer select { max-width: 40%; }
  .composer input { flex: 1; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
