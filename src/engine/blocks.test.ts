import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { blockBodySchema, blockSchema, safeUrl } from './blocks.js';
import { blockTemplateSchema } from './blockTemplates.js';

const examples = [
  { type: 'text', text: 'Hi' },
  { type: 'markdown', text: '**Hi**' },
  { type: 'image', url: 'https://cdn.example.com/a.png', alt: 'A' },
  { type: 'buttons', text: 'Pick', options: [{ label: 'A', value: 'a' }] },
  { type: 'quick_replies', options: [{ label: 'A', value: 'a' }] },
  { type: 'form', fields: [{ name: 'email', type: 'email', label: 'Email' }], submitLabel: 'Send' },
  {
    type: 'card',
    title: 'Shoe',
    text: 'Nice',
    image: 'https://cdn.example.com/s.png',
    actions: [
      { label: 'Open', url: 'https://example.com/s' },
      { label: 'Buy', value: 'buy' },
    ],
  },
  { type: 'carousel', cards: [{ title: 'One' }, { title: 'Two', actions: [{ label: 'Mail', url: 'mailto:a@b.co' }] }] },
  { type: 'product', sku: 'S-1', title: 'Shoe', price: '19.90', currency: 'EUR', url: 'https://example.com/s' },
  { type: 'link', url: 'tel:+15550100', text: 'Call us' },
  { type: 'file', url: 'https://example.com/manual.pdf', name: 'manual.pdf' },
  { type: 'typing', ms: 800 },
  { type: 'handoff', message: 'Connecting you to an agent' },
  { type: 'error', code: 'step_limit_exceeded', message: 'Too many steps' },
];

describe('block schemas', () => {
  it('accept one example of every block type, with and without id', () => {
    const types = new Set<string>();
    for (const example of examples) {
      expect(blockBodySchema.parse(example)).toEqual(example);
      expect(blockSchema.parse({ ...example, id: 'blk_1' })).toEqual({ ...example, id: 'blk_1' });
      types.add(example.type);
    }
    expect([...types].sort()).toEqual(blockBodySchema.options.map((o) => o.shape.type.value).sort());
  });

  it('are strict and check their formats', () => {
    expect(blockBodySchema.safeParse({ type: 'text', text: 'x', color: 'red' }).success).toBe(false);
    expect(blockBodySchema.safeParse({ type: 'image', url: 'javascript:alert(1)' }).success).toBe(false);
    expect(blockBodySchema.safeParse({ type: 'link', url: 'mailto:a@b.co' }).success).toBe(true);
    expect(blockBodySchema.safeParse({ type: 'image', url: 'mailto:a@b.co' }).success).toBe(false);
    expect(
      blockBodySchema.safeParse({ type: 'product', sku: 'a', title: 'b', price: '1.0', currency: 'eur' }).success,
    ).toBe(false);
    expect(blockBodySchema.safeParse({ type: 'card', title: 'x', actions: [{ label: 'a' }] }).success).toBe(false);
    expect(blockSchema.safeParse({ type: 'text', text: 'x' }).success).toBe(false);
  });

  it('every block schema converts with z.toJSONSchema', () => {
    for (const option of blockBodySchema.options) {
      const json = z.toJSONSchema(option) as unknown as {
        properties: { type: { const: string } };
        additionalProperties: boolean;
      };
      expect(json.properties.type.const).toBe(option.shape.type.value);
      expect(json.additionalProperties).toBe(false);
    }
    for (const schema of [blockBodySchema, blockSchema, blockTemplateSchema]) {
      const json = z.toJSONSchema(schema) as { oneOf: unknown[] };
      expect(json.oneOf.length).toBe(schema.options.length);
    }
    const withId = z.toJSONSchema(blockSchema) as { oneOf: { required: string[] }[] };
    expect(withId.oneOf.every((s) => s.required.includes('id'))).toBe(true);
  });
});

describe('safeUrl', () => {
  it('keeps http(s) URLs, normalised', () => {
    expect(safeUrl('https://example.com/a b'.replace(' ', '%20'), 'web')).toBe('https://example.com/a%20b');
    expect(safeUrl(' HTTP://Example.com ', 'web')).toBe('http://example.com/');
  });

  it('allows mailto: and tel: only for links', () => {
    expect(safeUrl('mailto:ann@example.com', 'link')).toBe('mailto:ann@example.com');
    expect(safeUrl('tel:+15550100', 'link')).toBe('tel:+15550100');
    expect(safeUrl('mailto:ann@example.com', 'web')).toBeNull();
  });

  it('drops every other scheme and anything malformed', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'file:///etc/passwd',
      '//evil.example.com',
      '/relative/path',
      'https://exa mple.com',
      `https://example.com/${'a'.repeat(2100)}`,
      '',
    ]) {
      expect(safeUrl(bad, 'link')).toBeNull();
    }
  });
});
