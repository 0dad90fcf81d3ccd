import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../app/AppContext.js';
import { createConnection } from '../connections/connectionService.js';
import { connectionByName } from '../connections/connectionStore.js';
import { AppError } from '../errors/AppError.js';
import { importFlow } from '../flows/flowService.js';
import { activeKeyByLabel } from '../keys/keyStore.js';
import { updateWidgetKey } from '../keys/widgetKeyService.js';
import { DEMO_KEY_LABEL, examplesDir } from './seedDemo.js';

export const DEMO_LLM_INTENT = 'product_advice';
export const DEMO_LLM_CONNECTION = 'demo_llm';

/**
 * The demo's LLM part (COMERIX_DEMO_LLM_BASE_URL set): an `openai` connection `demo_llm` to that endpoint, the
 * published `product_advice` flow, and its intent on the demo widget key. Safe to run again: an existing connection
 * is kept, the flow is published again, the key's intents gain the intent once.
 */
export async function seedDemoLlm(ctx: AppContext, tenantId: string): Promise<void> {
  const llm = ctx.config.demoLlm;
  if (!llm) throw new AppError('invalid_request', 'COMERIX_DEMO_LLM_BASE_URL is not set: there is no LLM to use');
  if (!(await connectionByName(ctx.kysely, tenantId, DEMO_LLM_CONNECTION))) {
    await createConnection(ctx, {
      tenantId,
      name: DEMO_LLM_CONNECTION,
      type: 'openai',
      baseUrl: llm.baseUrl,
      defaultModel: llm.model,
      ...(llm.apiKey ? { authType: 'bearer', secret: llm.apiKey } : { authType: 'none' }),
    });
  }
  const definition: unknown = JSON.parse(await readFile(join(examplesDir(), `${DEMO_LLM_INTENT}.json`), 'utf8'));
  await importFlow(ctx, tenantId, definition, { publish: true });
  const key = await activeKeyByLabel(ctx.kysely, tenantId, DEMO_KEY_LABEL);
  if (key && !key.allows_all_intents && !key.allowed_intents.includes(DEMO_LLM_INTENT)) {
    await updateWidgetKey(ctx, tenantId, key.key, { intents: [...key.allowed_intents, DEMO_LLM_INTENT] });
  }
}
