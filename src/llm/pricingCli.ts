import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** Flags named by the service's `details.fields[].path`. */
export const PRICING_FLAGS: Record<string, string> = {
  model: '--model',
  prompt: '--prompt',
  completion: '--completion',
};

/** `pricing:set|list`: the tenant's LLM price table (DESIGN §6). */
export function addPricingCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('pricing:set')
    .description("Set a tenant's price for a model, in USD per 1M prompt and completion tokens; prints the model")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .requiredOption('--model <model>', 'model name, as the llm node or connection names it')
    .requiredOption('--prompt <usd>', 'USD per 1M prompt tokens, e.g. 2.5')
    .requiredOption('--completion <usd>', 'USD per 1M completion tokens, e.g. 10')
    .action((o: { tenant: string; model: string; prompt: string; completion: string }) =>
      dispatch({
        command: 'pricing:set',
        tenant: o.tenant,
        model: o.model,
        prompt: o.prompt,
        completion: o.completion,
      }),
    );

  program
    .command('pricing:list')
    .description("List a tenant's LLM prices: the shipped defaults with its own prices over them")
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .action((o: { tenant: string }) => dispatch({ command: 'pricing:list', tenant: o.tenant }));
}
