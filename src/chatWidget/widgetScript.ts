import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface WidgetScript {
  body: Buffer;
  etag: string;
}

let cached: { path: string; mtimeMs: number; size: number; script: WidgetScript } | undefined;

/**
 * The built widget (dist/widget/comerix-chat.js), read once and again only when the file changes (a rebuild while
 * the server runs), with a strong ETag over its bytes. Undefined when it is not built.
 */
export function widgetScript(dir: string): WidgetScript | undefined {
  const path = join(dir, 'comerix-chat.js');
  let stat: { mtimeMs: number; size: number };
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (cached?.path === path && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.script;
  const body = readFileSync(path);
  const script = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  cached = { path, mtimeMs: stat.mtimeMs, size: stat.size, script };
  return script;
}
