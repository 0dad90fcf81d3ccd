import type { AppContext } from '../app/AppContext.js';
import type { PublicKey } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { keyAllowsIntent } from '../keys/widgetKeyService.js';
import type { QuickQuestionItem } from './edgeDocument.js';
import { liveConfig, liveQuickQuestions, readableContent } from './widgetSettingsService.js';

/**
 * Quick questions for any of `pageTypes` (none given: all), plus those for every page, in (position, id) order;
 * an item naming an intent shows only while that intent is published and in the key's scope.
 */
export async function readQuickQuestions(
  ctx: AppContext,
  key: PublicKey,
  pageTypes: string[],
): Promise<{ body: { items: QuickQuestionItem[] }; source: 'published' | 'live' }> {
  const { value, source } = await readableContent(ctx, key.tenant_id, 'quickQuestions', () =>
    liveQuickQuestions(ctx, key.tenant_id),
  );
  const published = await ctx.flowCache.publishedIntents(ctx.kysely, key.tenant_id);
  const wanted = new Set(pageTypes);
  const items = value.filter(
    (item) =>
      (wanted.size === 0 || item.pageTypes.length === 0 || item.pageTypes.some((p) => wanted.has(p))) &&
      (item.intentName === undefined || (published.has(item.intentName) && keyAllowsIntent(key, item.intentName))),
  );
  return { body: { items }, source };
}

/** A public section's values; a private or unknown one is `config_section_not_found`. */
export async function readConfigSection(
  ctx: AppContext,
  key: PublicKey,
  section: string,
): Promise<{ body: { section: string; values: JsonObject }; source: 'published' | 'live' }> {
  const { value, source } = await readableContent(ctx, key.tenant_id, 'config', () =>
    liveConfig(ctx, key.tenant_id, section),
  );
  const values = Object.hasOwn(value, section) ? value[section] : undefined;
  if (!values) throw new AppError('config_section_not_found', `No public config section "${section}".`);
  return { body: { section, values }, source };
}
