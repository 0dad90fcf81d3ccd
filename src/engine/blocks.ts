// Rendered blocks: the wire contract clients render (§5 "Blocks"). Every schema converts with z.toJSONSchema for OpenAPI.
import { z } from 'zod';
import { fieldsSchema } from '../fields/fieldSchema.js';
import { blockShapes } from './blockShapes.js';

export { safeUrl, type UrlKind } from './safeUrl.js';

const shapes = blockShapes('rendered');

export const textBlockSchema = shapes.text;
export const markdownBlockSchema = shapes.markdown;
export const imageBlockSchema = shapes.image;
export const buttonsBlockSchema = shapes.buttons;
export const quickRepliesBlockSchema = shapes.quick_replies;
export const cardBlockSchema = shapes.card;
export const carouselBlockSchema = shapes.carousel;
export const productBlockSchema = shapes.product;
export const linkBlockSchema = shapes.link;
export const fileBlockSchema = shapes.file;
export const typingBlockSchema = shapes.typing;
export const formBlockSchema = z.strictObject({
  type: z.literal('form'),
  fields: fieldsSchema,
  submitLabel: z.string().min(1).max(200).optional(),
});
export const handoffBlockSchema = z.strictObject({
  type: z.literal('handoff'),
  message: z.string().max(20_000).optional(),
  queue: z.string().max(64).optional(),
});
export const errorBlockSchema = z.strictObject({
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(2_000),
});

const bodies = [
  textBlockSchema,
  markdownBlockSchema,
  imageBlockSchema,
  buttonsBlockSchema,
  quickRepliesBlockSchema,
  formBlockSchema,
  cardBlockSchema,
  carouselBlockSchema,
  productBlockSchema,
  linkBlockSchema,
  fileBlockSchema,
  typingBlockSchema,
  handoffBlockSchema,
  errorBlockSchema,
] as const;

/** A block as the engine produces it, before the service assigns its id. */
export const blockBodySchema = z.discriminatedUnion('type', bodies);
export type BlockBody = z.infer<typeof blockBodySchema>;
export type BlockType = BlockBody['type'];

const id = { id: z.string().min(1).max(64) };

/** A block as clients receive it: a body plus its stable `id`. */
export const blockSchema = z.discriminatedUnion('type', [
  textBlockSchema.extend(id),
  markdownBlockSchema.extend(id),
  imageBlockSchema.extend(id),
  buttonsBlockSchema.extend(id),
  quickRepliesBlockSchema.extend(id),
  formBlockSchema.extend(id),
  cardBlockSchema.extend(id),
  carouselBlockSchema.extend(id),
  productBlockSchema.extend(id),
  linkBlockSchema.extend(id),
  fileBlockSchema.extend(id),
  typingBlockSchema.extend(id),
  handoffBlockSchema.extend(id),
  errorBlockSchema.extend(id),
]);
export type Block = z.infer<typeof blockSchema>;
