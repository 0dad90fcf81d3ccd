import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import { seedDemo } from './seedDemo.js';
import { seedDemoLlm } from './seedDemoLlm.js';

/** `llm`: add the LLM `product_advice` flow to the demo tenant (COMERIX_DEMO_LLM_BASE_URL must be set). */
export type DemoCommandRequest = { command: 'demo:seed'; llm?: boolean };

export async function runDemoCommand(ctx: AppContext, request: DemoCommandRequest): Promise<string> {
  if (request.llm && !ctx.config.demoLlm) {
    throw new AppError('invalid_request', 'demo:seed --llm needs COMERIX_DEMO_LLM_BASE_URL (and its _API_KEY, _MODEL)');
  }
  const demo = await seedDemo(ctx);
  if (request.llm && !demo.created) await seedDemoLlm(ctx, demo.tenantId);
  if (!demo.publicKey) throw new AppError('not_found', 'the demo tenant exists but has no active demo widget key');
  return demo.publicKey;
}
