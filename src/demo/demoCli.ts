import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** `demo:seed`. */
export function addDemoCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('demo:seed')
    .description('Create the demo tenant, flows and widget key if missing; prints the demo key')
    .option('--llm', 'also add the LLM product_advice flow (needs COMERIX_DEMO_LLM_BASE_URL)', false)
    .action((o: { llm: boolean }) => dispatch({ command: 'demo:seed', ...(o.llm ? { llm: true } : {}) }));
}
