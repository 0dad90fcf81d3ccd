import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirPermissionError, preparePrivateDataDir } from './privateDataDir.js';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'comerix-perm-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

function refusal(dataDir: string): DataDirPermissionError {
  let error: unknown;
  try {
    preparePrivateDataDir(dataDir);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(DataDirPermissionError);
  return error as DataDirPermissionError;
}

describe('preparePrivateDataDir', () => {
  it('creates a missing directory 0700, and later files owner-only whatever the umask was', () => {
    process.umask(0o022);
    const dataDir = join(parent, 'a', 'data');
    preparePrivateDataDir(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    writeFileSync(join(dataDir, 'later'), 'x');
    expect(statSync(join(dataDir, 'later')).mode & 0o777).toBe(0o600);
    preparePrivateDataDir(dataDir); // a private one is accepted again
  });

  it('refuses a directory open to group or others, naming it and the fix', () => {
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const error = refusal(dataDir);
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain(`chmod -R go-rwx ${dataDir}`);
    expect(error.message).toContain('0755');
  });

  it('refuses a top-level entry open to group or others', () => {
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'master.key'), 'k', { mode: 0o600 });
    mkdirSync(join(dataDir, 'pglite'), { mode: 0o700 });
    preparePrivateDataDir(dataDir);
    chmodSync(join(dataDir, 'master.key'), 0o640);
    expect(refusal(dataDir).message).toContain(join(dataDir, 'master.key'));
    chmodSync(join(dataDir, 'master.key'), 0o600);
    chmodSync(join(dataDir, 'pglite'), 0o701);
    expect(refusal(dataDir).message).toContain(`chmod -R go-rwx ${dataDir}`);
  });
});
