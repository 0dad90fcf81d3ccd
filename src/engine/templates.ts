// `{{ <JSONata> }}` templates (§5.1). Only the inserted values are transformed per mode; the author's literal text is
// kept verbatim, so a markdown block keeps its own formatting while values can never inject markup or raw HTML.
import { type EvalScope, ExpressionError, evaluateExpression, expressionProblem } from './expressions.js';
import type { Json } from './types.js';

/**
 * `text`: raw values. `markdown`: values backslash-escaped. `url`: values after the first character percent-encoded.
 * `path`: every value percent-encoded (an HTTP node's path, whose literal text is checked at validation).
 * `data`: every value wrapped in `<data>…</data>` (an `llm` prompt: inserted values are data, never instructions).
 */
export type TemplateMode = 'text' | 'markdown' | 'url' | 'path' | 'data';

export type TemplatePart = { kind: 'literal'; text: string } | { kind: 'expression'; source: string; offset: number };

const OPEN = '{{';
const CLOSE = '}}';
// Every ASCII punctuation character, all of which CommonMark allows to be backslash-escaped.
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** Splits a template into literal text and expression parts; an unclosed or empty `{{` is a syntax error. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf(OPEN, at);
    if (open === -1) break;
    const close = template.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw new ExpressionError(`unclosed "{{" at position ${open}`, 'template_syntax');
    const source = template.slice(open + OPEN.length, close).trim();
    if (source === '') throw new ExpressionError(`empty "{{ }}" at position ${open}`, 'template_syntax');
    if (open > at) parts.push({ kind: 'literal', text: template.slice(at, open) });
    parts.push({ kind: 'expression', source, offset: open });
    at = close + CLOSE.length;
  }
  if (at < template.length) parts.push({ kind: 'literal', text: template.slice(at) });
  return parts;
}

export function hasTemplateParts(template: string): boolean {
  return template.includes(OPEN);
}

/** For validation: every syntax problem in the template's `{{ }}` parts. */
export function templateProblems(template: string): string[] {
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(template);
  } catch (err) {
    return [err instanceof Error ? err.message : 'invalid template'];
  }
  const problems: string[] = [];
  for (const part of parts) {
    if (part.kind !== 'expression') continue;
    const problem = expressionProblem(part.source);
    if (problem) problems.push(`in "{{ ${part.source} }}": ${problem}`);
  }
  return problems;
}

/** Renders a template; throws ExpressionError when a part fails to parse or evaluate. */
export async function renderTemplate(template: string, scope: EvalScope, mode: TemplateMode): Promise<string> {
  if (!hasTemplateParts(template)) return template;
  let out = '';
  for (const part of parseTemplate(template)) {
    if (part.kind === 'literal') {
      out += part.text;
      continue;
    }
    const value = stringify(await evaluateExpression(part.source, scope));
    out += escapeValue(value, mode, part.offset);
  }
  return out;
}

/** Escapes every ASCII punctuation character so a value renders as literal text in CommonMark. */
export function escapeMarkdown(value: string): string {
  return value.replace(MARKDOWN_PUNCTUATION, '\\$&');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Percent-encodes a value as one URI component (slash, `?`, `#`, backslash, `:` included). */
export function encodeComponent(value: string): string {
  // encodeURIComponent throws on a lone surrogate; an expression result must never crash the walker, so those
  // become U+FFFD first.
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'));
}

function escapeValue(value: string, mode: TemplateMode, offset: number): string {
  if (mode === 'markdown') return escapeMarkdown(value);
  // A value that starts the URL supplies it whole (checked by safeUrl afterwards); later values are path or query
  // pieces and are encoded, so an untrusted value cannot add segments, a query or a fragment.
  if (mode === 'url' && offset > 0) return encodeComponent(value);
  // In a path every value is encoded: the literal text alone decides the segments.
  if (mode === 'path') return encodeComponent(value);
  if (mode === 'data') return delimitData(value);
  return value;
}

/**
 * An inserted value of an `llm` prompt, fenced as data: a `<data` or `</data` inside it is broken up, so a value can
 * never close its fence early and pose as the author's instructions.
 */
export function delimitData(value: string): string {
  return `<data>${value.replace(/<(\/?data)/gi, '&lt;$1')}</data>`;
}

function stringify(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
