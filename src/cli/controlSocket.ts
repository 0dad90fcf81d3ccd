import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import { privateModeProblem } from '../security/privateModeProblem.js';
import { type CommandRequest, runCommand } from './runCommand.js';

/**
 * The socket lives in an owner-only directory, so no other user can reach it, swap it, or create it first:
 * `<dataDir>/run`, or, when that path would exceed the ~107-byte Unix socket limit, `comerix-<uid>-<hash>` in the
 * temp directory (shared with every user, hence the checks on whatever already exists there).
 */
export function controlSocketPath(dataDir: string): string {
  const inDir = join(dataDir, 'run', 'control.sock');
  if (Buffer.byteLength(inDir) <= 100) return inDir;
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(tmpdir(), `comerix-${process.getuid?.() ?? 'u'}-${hash}`, 'control.sock');
}

export class UnsafeControlSocketError extends Error {}

/** Refuses a socket directory (or socket) that is not a real one of ours closed to group and others. */
function assertPrivate(path: string, kind: 'directory' | 'socket'): void {
  const stats = lstatSync(path);
  const isKind = kind === 'directory' ? stats.isDirectory() : stats.isSocket();
  const problem = isKind ? privateModeProblem(stats) : `it is not a ${kind}`;
  if (problem) {
    throw new UnsafeControlSocketError(
      `Refusing the control ${kind} ${path}: ${problem}. Another user may have created or opened it; ` +
        `stop the server, remove ${path}, and start again.`,
    );
  }
}

/** Creates the socket's directory 0700, or accepts an existing one only when it is ours and private. */
function preparePrivateSocketDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  assertPrivate(dir, 'directory');
}

export interface ControlReply {
  ok: boolean;
  stdout?: string;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * The running embedded server owns the data directory, so CLI commands given while it runs are carried out by it:
 * one JSON request line in, one JSON reply line out, on an owner-only socket.
 */
export async function startControlSocket(ctx: AppContext, dataDir: string): Promise<Server> {
  const path = controlSocketPath(dataDir);
  preparePrivateSocketDir(dirname(path));
  rmSync(path, { force: true });
  // Where versions before run/ listened; a leftover would only mislead.
  rmSync(join(dataDir, 'control.sock'), { force: true });
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', async (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 5_000_000) socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      buffer = '';
      let reply: ControlReply;
      try {
        reply = { ok: true, stdout: await runCommand(ctx, JSON.parse(line) as CommandRequest) };
      } catch (error) {
        reply =
          error instanceof AppError
            ? {
                ok: false,
                error: {
                  code: error.code,
                  message: error.message,
                  ...(error.details ? { details: error.details } : {}),
                },
              }
            : { ok: false, error: { code: 'internal_error', message: (error as Error).message } };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // Already unreachable inside the 0700 directory (and 0700 by the umask); 0600 says what it is for.
  chmodSync(path, 0o600);
  server.on('close', () => rmSync(path, { force: true }));
  return server;
}

/**
 * Sends one command to the running server. While that server is still starting (lock taken, socket not yet
 * listening) the connection is retried for a few seconds; a server that never answers times out.
 */
export async function sendControlCommand(dataDir: string, request: CommandRequest): Promise<ControlReply> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await sendOnce(dataDir, request);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function sendOnce(dataDir: string, request: CommandRequest): Promise<ControlReply> {
  const path = controlSocketPath(dataDir);
  // Before connecting: whoever could replace the socket could read the command (and forge the answer).
  // A missing directory or socket throws ENOENT, which the caller retries while the server starts.
  assertPrivate(dirname(path), 'directory');
  assertPrivate(path, 'socket');
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(120_000, () => socket.destroy(new Error('the running server did not answer within 120 s')));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => {
      try {
        resolve(JSON.parse(data) as ControlReply);
      } catch {
        reject(new Error('the running server gave no answer on its control socket'));
      }
    });
    socket.on('error', reject);
  });
}
