import type { AdminRole } from '../db/types.js';

/** What a route declared with `auth: 'admin'` receives: the logged-in user, read with its session on each request. */
export interface AdminAuth {
  sessionId: string;
  tenantId: string;
  userId: string;
  email: string;
  role: AdminRole;
}

/** Each role may do what the roles below it may. */
export const ADMIN_ROLES: readonly AdminRole[] = ['viewer', 'editor', 'owner'];

export function roleAtLeast(role: AdminRole, minimum: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(minimum);
}

/** The audit log's `actor` for an admin user. */
export function adminActor(auth: Pick<AdminAuth, 'userId'>): string {
  return `admin:${auth.userId}`;
}

/** The least role of an admin route: declared, or viewer for reads and editor for changes. */
export function adminRoleOf(route: { method: string; role?: AdminRole | undefined }): AdminRole {
  return route.role ?? (route.method === 'GET' ? 'viewer' : 'editor');
}
