import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../app/AppContext.js';
import {
  controlSocketPath,
  sendControlCommand,
  startControlSocket,
  UnsafeControlSocketError,
} from './controlSocket.js';

// No command is carried out here: a context the command cannot use still gets an answer back over the socket.
const ctx = {} as AppContext;
const request = { command: 'flow:list' } as const;

let dataDir: string;
const servers: Server[] = [];
const extraDirs: string[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'comerix-sock-'));
});
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
  for (const dir of [dataDir, ...extraDirs.splice(0)]) rmSync(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<Error> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(UnsafeControlSocketError);
  return error as Error;
}

describe('control socket', () => {
  it('listens in an owner-only run/ directory, on a socket closed to group and others', async () => {
    process.umask(0o022); // what a shell usually gives; the socket must not depend on it
    servers.push(await startControlSocket(ctx, dataDir));
    const path = controlSocketPath(dataDir);
    expect(path).toBe(join(dataDir, 'run', 'control.sock'));
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(lstatSync(path).mode & 0o077).toBe(0);
    const reply = await sendControlCommand(dataDir, request);
    expect(reply.ok).toBe(false); // answered (the fake context cannot run it): the socket works
  });

  it('refuses a socket directory open to others, on both sides', async () => {
    mkdirSync(join(dataDir, 'run'));
    chmodSync(join(dataDir, 'run'), 0o777);
    const error = await refusal(startControlSocket(ctx, dataDir));
    expect(error.message).toContain(join(dataDir, 'run'));
    expect(error.message).toContain('0777');
    expect(existsSync(controlSocketPath(dataDir))).toBe(false);
    await refusal(sendControlCommand(dataDir, request));
  });

  it('refuses to connect to a socket open to others, without retrying', async () => {
    servers.push(await startControlSocket(ctx, dataDir));
    chmodSync(controlSocketPath(dataDir), 0o666);
    const started = Date.now();
    const error = await refusal(sendControlCommand(dataDir, request));
    expect(error.message).toContain('control socket');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('for a long data dir path, uses a private per-user directory in tmpdir and refuses one pre-created open', async () => {
    const longDir = join(dataDir, 'x'.repeat(120));
    mkdirSync(longDir, { mode: 0o700 });
    const path = controlSocketPath(longDir);
    expect(dirname(dirname(path))).toBe(tmpdir());
    expect(path).toMatch(new RegExp(`comerix-${process.getuid?.()}-[0-9a-f]{16}/control\\.sock$`));
    extraDirs.push(dirname(path));
    // Another user got there first with a directory anyone can write: refused, never listened in.
    mkdirSync(dirname(path), { mode: 0o777 });
    chmodSync(dirname(path), 0o777);
    await refusal(startControlSocket(ctx, longDir));
    await refusal(sendControlCommand(longDir, request));
    // Our own private one (e.g. left by an earlier run) is reused.
    chmodSync(dirname(path), 0o700);
    servers.push(await startControlSocket(ctx, longDir));
    expect((await sendControlCommand(longDir, request)).ok).toBe(false);
  });
});
