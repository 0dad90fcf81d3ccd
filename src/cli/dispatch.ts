import { createContext, openConfiguredDb } from '../app/createContext.js';
import { loadConfig } from '../config.js';
import { lockDataDir, lockHolder } from '../db/dataDirLock.js';
import { AppError } from '../errors/AppError.js';
import { sendControlCommand } from './controlSocket.js';
import { type CommandRequest, runCommand } from './runCommand.js';

export type Dispatch = (request: CommandRequest) => Promise<void>;

/**
 * Runs a data command: through the running embedded server when one holds the data directory, otherwise against
 * the database directly (holding the directory lock meanwhile, so no server starts underneath). Prints exactly the
 * command's value and a newline on stdout.
 */
export async function dispatch(request: CommandRequest): Promise<void> {
  const cfg = loadConfig();
  let stdout: string;
  if (cfg.backend === 'pglite' && lockHolder(cfg.dataDir) !== undefined) {
    const reply = await sendControlCommand(cfg.dataDir, request);
    if (!reply.ok) {
      const code = reply.error?.code;
      throw new AppError(
        code === 'invalid_request' || code === 'validation_failed' || code === 'not_found' ? code : 'internal_error',
        reply.error?.message ?? 'failed',
        reply.error?.details,
      );
    }
    stdout = reply.stdout ?? '';
  } else {
    const lock = cfg.backend === 'pglite' ? lockDataDir(cfg.dataDir) : undefined;
    const db = await openConfiguredDb(cfg);
    try {
      const ctx = await createContext(cfg, db, { migrate: true });
      try {
        stdout = await runCommand(ctx, request);
      } finally {
        await ctx.events.close();
      }
    } finally {
      await db.close();
      lock?.release();
    }
  }
  process.stdout.write(`${stdout}\n`);
}
