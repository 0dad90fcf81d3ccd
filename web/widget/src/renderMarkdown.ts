// A small CommonMark subset rendered straight to DOM nodes with textContent: paragraphs, line breaks, bullet and
// numbered lists, headings (shown bold), **strong**, *em* / _em_, `code`, [links](http…) and backslash escapes (the
// server escapes variables that way, docs/blocks.md). Raw HTML is never parsed: `<b>` stays the text "<b>". A scanner,
// not regular expressions, so no input can make it backtrack.
import { safeHref } from './safeHref.js';

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export function renderMarkdown(source: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let list: HTMLElement | undefined;
  let paragraph: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length === 0) return;
    const p = document.createElement('p');
    paragraph.forEach((line, i) => {
      if (i > 0) p.append(document.createElement('br'));
      p.append(inline(line));
    });
    out.append(p);
    paragraph = [];
  };
  for (const line of lines) {
    const trimmed = line.trim();
    const bullet = /^[-*+] /.test(trimmed);
    const numbered = /^\d{1,9}[.)] /.test(trimmed);
    if (trimmed === '') {
      flushParagraph();
      list = undefined;
    } else if (bullet || numbered) {
      flushParagraph();
      const tag = bullet ? 'UL' : 'OL';
      if (list?.tagName !== tag) {
        list = document.createElement(tag.toLowerCase());
        out.append(list);
      }
      const li = document.createElement('li');
      li.append(inline(trimmed.slice(trimmed.indexOf(' ') + 1)));
      list.append(li);
    } else if (/^#{1,6} /.test(trimmed)) {
      flushParagraph();
      list = undefined;
      const p = document.createElement('p');
      const strong = document.createElement('strong');
      strong.append(inline(trimmed.slice(trimmed.indexOf(' ') + 1)));
      p.append(strong);
      out.append(p);
    } else {
      list = undefined;
      paragraph.push(trimmed);
    }
  }
  flushParagraph();
  return out;
}

/** Inline spans of one line. */
function inline(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  // Where a marker is known to have no closer: a later search for it answers -1 at once, so a line of a thousand
  // unclosed `[` costs one scan, not a thousand.
  const none = new Map<string, number>();
  const closing = (marker: string, from: number): number => {
    if (from >= (none.get(marker) ?? Number.POSITIVE_INFINITY)) return -1;
    const at = findClosing(text, marker, from);
    if (at === -1) none.set(marker, Math.min(from, none.get(marker) ?? from));
    return at;
  };
  let plain = '';
  const flush = () => {
    if (plain) out.append(document.createTextNode(plain));
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && PUNCTUATION.includes(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        const code = document.createElement('code');
        code.textContent = text.slice(i + 1, end);
        out.append(code);
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const end = closing(c + c, i + 2);
      if (end > i + 2) {
        flush();
        const strong = document.createElement('strong');
        strong.append(inline(text.slice(i + 2, end)));
        out.append(strong);
        i = end + 2;
        continue;
      }
    }
    if (c === '*' || c === '_') {
      const end = closing(c, i + 1);
      if (end > i + 1 && text[i + 1] !== ' ') {
        flush();
        const em = document.createElement('em');
        em.append(inline(text.slice(i + 1, end)));
        out.append(em);
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = closing(']', i + 1);
      if (close > i && text[close + 1] === '(') {
        const end = text.indexOf(')', close + 2);
        const href = end > close ? safeHref(text.slice(close + 2, end).trim()) : undefined;
        if (end > close) {
          flush();
          const label = inline(text.slice(i + 1, close));
          if (href) {
            const a = document.createElement('a');
            a.href = href;
            a.target = '_blank';
            a.rel = 'noopener noreferrer';
            a.append(label);
            out.append(a);
          } else out.append(label);
          i = end + 1;
          continue;
        }
      }
    }
    plain += c;
    i += 1;
  }
  flush();
  return out;
}

/** The next unescaped `marker` at or after `from`, or -1. */
function findClosing(text: string, marker: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text.startsWith(marker, i)) return i;
  }
  return -1;
}
