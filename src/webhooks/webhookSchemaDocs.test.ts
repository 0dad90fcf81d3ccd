import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../wire/webhookSchemas.js';
import { renderWebhookSchemas, SCHEMAS_END, SCHEMAS_START } from './webhookSchemaDocs.js';

const page = join(import.meta.dirname, '..', '..', 'docs', 'webhooks.md');

describe('docs/webhooks.md', () => {
  it('shows the current JSON Schema of every event type (UPDATE_DOCS=1 rewrites it)', () => {
    const text = readFileSync(page, 'utf8');
    const start = text.indexOf(SCHEMAS_START);
    const end = text.indexOf(SCHEMAS_END);
    expect(start).toBeGreaterThan(0);
    const current = text.slice(start, end + SCHEMAS_END.length);
    const wanted = renderWebhookSchemas();
    if (process.env.UPDATE_DOCS === '1' && current !== wanted) {
      writeFileSync(page, text.replace(current, wanted));
      return;
    }
    expect(current).toBe(wanted);
    for (const type of WEBHOOK_EVENT_TYPES) expect(text).toContain(`### \`${type}\``);
  });
});
