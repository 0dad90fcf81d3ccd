import { describe, expect, it } from 'vitest';
import { type EvalScope, ExpressionError } from './expressions.js';
import { escapeMarkdown, parseTemplate, renderTemplate, templateProblems } from './templates.js';

const scope: EvalScope = {
  data: {
    vars: {
      name: 'Ann',
      html: '<script>alert(1)</script>',
      stars: '*bold* _x_ [a](javascript:x)',
      n: 3,
      obj: { a: 1 },
    },
    conversation: { id: 'c1', customer_id: 'cust-9', variables: { ref: 'a/b?c=d#e' } },
    input: {},
    session: { locale: null },
  },
  timeoutMs: 250,
};

describe('renderTemplate', () => {
  it('inserts values; undefined and null become empty; objects become JSON', async () => {
    expect(await renderTemplate('Hi {{ vars.name }}, {{vars.n}} items', scope, 'text')).toBe('Hi Ann, 3 items');
    expect(await renderTemplate('[{{ vars.missing }}]', scope, 'text')).toBe('[]');
    expect(await renderTemplate('{{ vars.obj }}', scope, 'text')).toBe('{"a":1}');
    expect(await renderTemplate('{{ conversation.customer_id }}', scope, 'text')).toBe('cust-9');
    expect(await renderTemplate('no placeholders', scope, 'text')).toBe('no placeholders');
  });

  it('text mode inserts raw values', async () => {
    expect(await renderTemplate('{{ vars.html }}', scope, 'text')).toBe('<script>alert(1)</script>');
  });

  it('markdown mode escapes inserted values but keeps the literal markdown', async () => {
    expect(await renderTemplate('**{{ vars.html }}**', scope, 'markdown')).toBe(
      '**\\<script\\>alert\\(1\\)\\<\\/script\\>**',
    );
    expect(await renderTemplate('_{{ vars.stars }}_', scope, 'markdown')).toBe(
      '_\\*bold\\* \\_x\\_ \\[a\\]\\(javascript\\:x\\)_',
    );
  });

  it('url mode keeps a leading value whole and percent-encodes later ones', async () => {
    expect(await renderTemplate('https://shop.example/o/{{ conversation.variables.ref }}', scope, 'url')).toBe(
      'https://shop.example/o/a%2Fb%3Fc%3Dd%23e',
    );
    expect(await renderTemplate('{{ "https://x.example/a?b=1" }}', scope, 'url')).toBe('https://x.example/a?b=1');
  });

  it('path mode percent-encodes every value, the first one too, and keeps the literal text', async () => {
    expect(await renderTemplate('{{ conversation.variables.ref }}/x/{{ vars.n }}', scope, 'path')).toBe(
      'a%2Fb%3Fc%3Dd%23e/x/3',
    );
    expect(await renderTemplate('/o/{{ "//h.example:80@" }}', scope, 'path')).toBe('/o/%2F%2Fh.example%3A80%40');
  });

  it('url and path modes encode a lone surrogate as U+FFFD instead of throwing', async () => {
    expect(await renderTemplate('/{{ "\\ud800x" }}', scope, 'path')).toBe('/%EF%BF%BDx');
    expect(await renderTemplate('https://x.example/{{ "\\udc00" }}', scope, 'url')).toBe('https://x.example/%EF%BF%BD');
    expect(await renderTemplate('/{{ "\\ud83d\\ude00" }}', scope, 'path')).toBe('/%F0%9F%98%80');
  });

  it('fails with an ExpressionError on a broken part', async () => {
    await expect(renderTemplate('{{ vars.n + "x" }}', scope, 'text')).rejects.toBeInstanceOf(ExpressionError);
    await expect(renderTemplate('Hi {{ vars.name', scope, 'text')).rejects.toThrow(/unclosed/);
  });
});

describe('escapeMarkdown', () => {
  it('backslash-escapes every ASCII punctuation character and nothing else', () => {
    const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    expect(escapeMarkdown(punctuation)).toBe([...punctuation].map((c) => `\\${c}`).join(''));
    expect(escapeMarkdown('abc 123 é\n')).toBe('abc 123 é\n');
  });
});

describe('parseTemplate and templateProblems', () => {
  it('splits literals and expressions', () => {
    expect(parseTemplate('a {{ x }} b{{y}}')).toEqual([
      { kind: 'literal', text: 'a ' },
      { kind: 'expression', source: 'x', offset: 2 },
      { kind: 'literal', text: ' b' },
      { kind: 'expression', source: 'y', offset: 11 },
    ]);
  });

  it('lists every bad part', () => {
    expect(templateProblems('fine {{ vars.a }}')).toEqual([]);
    expect(templateProblems('{{ vars.( }} and {{ 1 + }}')).toHaveLength(2);
    expect(templateProblems('open {{ vars.a')).toEqual(['unclosed "{{" at position 5']);
    expect(templateProblems('{{ }}')).toEqual(['empty "{{ }}" at position 0']);
  });
});
