// What a `message` node may emit: the content blocks, with `{{ }}` template parts allowed in every string.
import { z } from 'zod';
import { blockShapes } from './blockShapes.js';
import type { ExpressionSite } from './nodes/types.js';
import type { UrlKind } from './safeUrl.js';

const shapes = blockShapes('template');

export const blockTemplateSchema = z.discriminatedUnion('type', [
  shapes.text,
  shapes.markdown,
  shapes.image,
  shapes.buttons,
  shapes.quick_replies,
  shapes.card,
  shapes.carousel,
  shapes.product,
  shapes.link,
  shapes.file,
  shapes.typing,
]);
export type BlockTemplate = z.infer<typeof blockTemplateSchema>;

type Path = (string | number)[];

/** The URL kind of a string inside a block, or `null` when it is not a URL. */
export function urlKindAt(blockType: string, path: Path): UrlKind | null {
  const key = path[path.length - 1];
  if (key === 'image') return 'web';
  if (key !== 'url') return null;
  return blockType === 'link' || path.includes('actions') ? 'link' : 'web';
}

/** Every templated string of a block, for validation. */
export function blockTemplateSites(block: BlockTemplate, base: Path): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const visit = (value: unknown, path: Path): void => {
    if (typeof value === 'string') {
      const url = urlKindAt(block.type, path);
      sites.push({ path: [...base, ...path], source: value, kind: 'template', ...(url ? { url } : {}) });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) if (key !== 'type') visit(item, [...path, key]);
    }
  };
  visit(block, []);
  return sites;
}
