import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findAdminUserByEmail } from '../admin/adminStore.js';
import { createAdminUser, generatePassword } from '../admin/adminUserService.js';
import type { AppContext } from '../app/AppContext.js';

export const DEMO_OWNER_EMAIL = 'owner@demo.comerix.local';
export const DEMO_OWNER_PASSWORD_FILE = 'demo-admin-password';

export interface DemoLogin {
  email: string;
  /** Undefined when the password file is gone (reset it with `comerix admin:reset-password`). */
  password: string | undefined;
  file: string;
}

/**
 * The demo tenant's owner, created once with a generated password. The password is kept in the data directory
 * (0600) so the start banner can print the login; the database has only its hash. The file is written before the
 * user, so a failure in between leaves a stale file that the next start replaces, never a user nobody can log in as.
 */
export async function demoOwner(ctx: AppContext, tenantId: string): Promise<DemoLogin> {
  const file = join(ctx.config.dataDir, DEMO_OWNER_PASSWORD_FILE);
  const existing = await findAdminUserByEmail(ctx.kysely, DEMO_OWNER_EMAIL);
  if (existing) {
    const password = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    return { email: DEMO_OWNER_EMAIL, password: password || undefined, file };
  }
  const password = generatePassword();
  mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  await createAdminUser(ctx, { tenantId, email: DEMO_OWNER_EMAIL, role: 'owner', password, actor: 'demo' });
  return { email: DEMO_OWNER_EMAIL, password, file };
}
