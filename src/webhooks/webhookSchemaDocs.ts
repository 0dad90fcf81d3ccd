import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, webhookEnvelopeSchema } from '../wire/webhookSchemas.js';

export const SCHEMAS_START =
  '<!-- webhook-schemas:start (generated from src/wire/webhookSchemas.ts: npm run docs:webhooks) -->';
export const SCHEMAS_END = '<!-- webhook-schemas:end -->';

/** The JSON Schema of every event's body, as docs/webhooks.md shows them (one section per type). */
export function renderWebhookSchemas(): string {
  const sections = WEBHOOK_EVENT_TYPES.map((type) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(webhookEnvelopeSchema(type), { io: 'input' }) as Record<
      string,
      unknown
    >;
    return `#### \`${type}\` body\n\n\`\`\`json\n${JSON.stringify(schema, null, 2)}\n\`\`\``;
  });
  return [SCHEMAS_START, ...sections, SCHEMAS_END].join('\n\n');
}
