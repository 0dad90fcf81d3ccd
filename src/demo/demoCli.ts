import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';

/** `demo:seed`. */
export function addDemoCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('demo:seed')
    .description('Create the demo tenant, flows and widget key if missing; prints the demo key')
    .action(() => dispatch({ command: 'demo:seed' }));
}
