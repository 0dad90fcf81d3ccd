import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import { seedDemo } from './seedDemo.js';

export type DemoCommandRequest = { command: 'demo:seed' };

export async function runDemoCommand(ctx: AppContext, _request: DemoCommandRequest): Promise<string> {
  const demo = await seedDemo(ctx);
  if (!demo.publicKey) throw new AppError('not_found', 'the demo tenant exists but has no active demo widget key');
  return demo.publicKey;
}
