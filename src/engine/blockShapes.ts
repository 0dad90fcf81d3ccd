// One description of the content blocks (§5 "Blocks"), instantiated twice: as rendered blocks (what clients get) and
// as message-node templates (what authors write, where any string may hold `{{ }}` parts).
import { z } from 'zod';
import { MAX_URL_LENGTH, safeUrl } from './safeUrl.js';

export type ShapeMode = 'rendered' | 'template';

const MAX_TEXT = 20_000;
const MAX_LABEL = 200;

export function blockShapes(mode: ShapeMode) {
  const rendered = mode === 'rendered';
  // Templates hold placeholders, so formats are only enforced once rendered.
  const url = (kind: 'web' | 'link') =>
    rendered
      ? z
          .string()
          .max(MAX_URL_LENGTH)
          .refine(
            (value) => safeUrl(value, kind) !== null,
            `must be an ${kind === 'link' ? 'http(s), mailto or tel' : 'http(s)'} URL`,
          )
          .meta({ description: kind === 'link' ? 'http(s), mailto: or tel: URL' : 'http(s) URL' })
      : z.string().min(1).max(MAX_URL_LENGTH);
  const text = z.string().min(1).max(MAX_TEXT);
  const label = rendered ? z.string().min(1).max(MAX_LABEL) : z.string().min(1).max(MAX_TEXT);
  const price = rendered ? z.string().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string') : z.string().min(1);
  const currency = rendered ? z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code') : z.string().min(1);

  const option = z.strictObject({ label, value: z.string().min(1).max(MAX_LABEL) });
  const options = z.array(option).min(1).max(20);
  const action = z.union([z.strictObject({ label, url: url('link') }), z.strictObject({ label, value: label })]);
  const cardContent = {
    title: label,
    text: text.optional(),
    image: url('web').optional(),
    actions: z.array(action).max(5).optional(),
  };

  return {
    text: z.strictObject({ type: z.literal('text'), text }),
    markdown: z.strictObject({ type: z.literal('markdown'), text }),
    image: z.strictObject({ type: z.literal('image'), url: url('web'), alt: z.string().max(500).optional() }),
    buttons: z.strictObject({ type: z.literal('buttons'), text: text.optional(), options }),
    quick_replies: z.strictObject({ type: z.literal('quick_replies'), text: text.optional(), options }),
    card: z.strictObject({ type: z.literal('card'), ...cardContent }),
    carousel: z.strictObject({
      type: z.literal('carousel'),
      cards: z.array(z.strictObject(cardContent)).min(1).max(10),
    }),
    product: z.strictObject({
      type: z.literal('product'),
      sku: z.string().min(1).max(MAX_LABEL),
      title: label,
      price,
      currency,
      image: url('web').optional(),
      url: url('web').optional(),
    }),
    link: z.strictObject({ type: z.literal('link'), url: url('link'), text: label.optional() }),
    file: z.strictObject({ type: z.literal('file'), url: url('web'), name: z.string().min(1).max(255).optional() }),
    typing: z.strictObject({ type: z.literal('typing'), ms: z.number().int().min(0).max(10_000) }),
  };
}
