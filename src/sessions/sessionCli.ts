import type { Command } from 'commander';
import type { Dispatch } from '../cli/dispatch.js';
import { UsageError } from '../cli/UsageError.js';

/** `session:revoke`. */
export function addSessionCommands(program: Command, dispatch: Dispatch): void {
  program
    .command('session:revoke')
    .description(
      'Revoke sessions at once (by session, conversation, or all of a customer): they answer 401 and their conversations can no longer be continued; prints how many sessions were revoked',
    )
    .requiredOption('--tenant <idOrSlug>', 'tenant id or slug')
    .option('--session <id>', 'one session (and its conversation)')
    .option('--conversation <id>', 'a conversation and all its sessions')
    .option('--customer <customerId>', "all of a customer's sessions")
    .action((o: { tenant: string; session?: string; conversation?: string; customer?: string }) => {
      const given = [o.session, o.conversation, o.customer].filter((v) => v !== undefined);
      if (given.length !== 1) throw new UsageError('give exactly one of --session, --conversation and --customer');
      return dispatch({
        command: 'session:revoke',
        tenant: o.tenant,
        target:
          o.session !== undefined
            ? { sessionId: o.session }
            : o.conversation !== undefined
              ? { conversationId: o.conversation }
              : { customerId: o.customer! },
      });
    });
}
