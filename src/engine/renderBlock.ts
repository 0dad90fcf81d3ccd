// Renders one block template into a wire block: templates evaluated, URLs checked after rendering, result validated.
// Anything unsafe or invalid is dropped with a trace warning instead of reaching the client.

import { type BlockBody, blockBodySchema } from './blocks.js';
import { type BlockTemplate, urlKindAt } from './blockTemplates.js';
import { formatPath } from './formatPath.js';
import type { NodeRuntime } from './nodes/types.js';
import { safeUrl } from './safeUrl.js';

type Path = (string | number)[];
const DROP = Symbol('drop');

/** Returns the rendered block, or `null` when it had to be dropped. `where` names it in warnings, e.g. `['blocks', 0]`. */
export async function renderBlock(template: BlockTemplate, where: Path, rt: NodeRuntime): Promise<BlockBody | null> {
  const render = async (value: unknown, path: Path, inArray: boolean): Promise<unknown> => {
    if (typeof value === 'string') {
      const kind = urlKindAt(template.type, path);
      if (!kind) return rt.render(value, template.type === 'markdown' && path[0] === 'text' ? 'markdown' : 'text');
      const url = safeUrl(await rt.render(value, 'url'), kind);
      if (url === null) rt.warn(`unsafe URL dropped at ${formatPath([...where, ...path])}`);
      return url ?? DROP;
    }
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const [i, item] of value.entries()) {
        const out = await render(item, [...path, i], true);
        if (out !== DROP) items.push(out);
      }
      return items;
    }
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const rendered = key === 'type' ? item : await render(item, [...path, key], false);
        // An action whose URL was dropped has nothing left to do, so it goes; elsewhere only the field goes.
        if (rendered === DROP && key === 'url' && inArray) return DROP;
        if (rendered !== DROP) out[key] = rendered;
      }
      return out;
    }
    return value;
  };

  const parsed = blockBodySchema.safeParse(await render(template, [], false));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  rt.warn(
    `${template.type} block dropped at ${formatPath([...where, ...(issue?.path ?? [])])}: ${issue?.message ?? 'invalid'}`,
  );
  return null;
}
