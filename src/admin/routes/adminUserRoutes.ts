import { listAuditEntries } from '../../audit/auditStore.js';
import { defineRoute } from '../../http/defineRoute.js';
import {
  adminIdParams,
  adminUser,
  adminUserList,
  auditList,
  auditQuery,
  changeRoleBody,
  createAdminUserBody,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { adminUserView, changeRole, createAdminUser, listUsers, removeAdminUser } from '../adminUserService.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

export const listAdminUsersRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/users`,
  operationId: 'adminListUsers',
  summary: "The tenant's admin users and their roles",
  tags: ['Admin: users'],
  auth: 'admin',
  role: 'owner',
  response: { status: 200, description: 'The users', schema: adminUserList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { users: await listUsers(ctx, auth.tenantId) },
    headers: NO_STORE,
  }),
});

export const createAdminUserRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/users`,
  operationId: 'adminCreateUser',
  summary: 'Add an admin user to the tenant',
  description: 'The password (at least 12 characters) is kept only as its scrypt hash.',
  tags: ['Admin: users'],
  auth: 'admin',
  role: 'owner',
  body: createAdminUserBody,
  response: { status: 201, description: 'The user', schema: adminUser },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: adminUserView(await createAdminUser(ctx, { tenantId: auth.tenantId, ...body, actor: adminActor(auth) })),
    headers: NO_STORE,
  }),
});

export const changeRoleRoute = defineRoute({
  method: 'PATCH',
  path: `${ADMIN_BASE}/users/{id}`,
  operationId: 'adminChangeUserRole',
  summary: "Change an admin user's role",
  description: 'A tenant always keeps at least one owner (else 422, rule `last_owner`). Takes effect at once.',
  tags: ['Admin: users'],
  auth: 'admin',
  role: 'owner',
  params: adminIdParams,
  body: changeRoleBody,
  response: { status: 200, description: 'The user', schema: adminUser },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await changeRole(ctx, auth, params.id, body.role),
    headers: NO_STORE,
  }),
});

export const removeAdminUserRoute = defineRoute({
  method: 'DELETE',
  path: `${ADMIN_BASE}/users/{id}`,
  operationId: 'adminRemoveUser',
  summary: 'Remove an admin user from the tenant; their sessions end at once',
  description:
    'A tenant always keeps at least one owner (else 422, rule `last_owner`), and nobody removes themselves (rule `self`).',
  tags: ['Admin: users'],
  auth: 'admin',
  role: 'owner',
  params: adminIdParams,
  response: { status: 204, description: 'Removed' },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params }) => {
    await removeAdminUser(ctx, auth, params.id);
    return { status: 204, body: undefined, headers: NO_STORE };
  },
});

export const auditLogRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/audit`,
  operationId: 'adminAuditLog',
  summary: 'The audit log: who changed what, when, with digests of before and after',
  description: 'Newest first; `?before=<nextBefore>` for the next page; filter by `action` or `target`.',
  tags: ['Admin: users'],
  auth: 'admin',
  role: 'owner',
  query: auditQuery,
  response: { status: 200, description: 'The entries', schema: auditList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth, query }) => {
    const limit = query.limit ?? 50;
    const rows = await listAuditEntries(ctx.kysely, auth.tenantId, {
      limit,
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
      ...(query.target !== undefined ? { target: query.target } : {}),
    });
    return {
      status: 200,
      body: {
        entries: rows.map((r) => ({
          id: Number(r.id),
          actor: r.actor,
          action: r.action,
          target: r.target,
          beforeDigest: r.before_digest,
          afterDigest: r.after_digest,
          createdAt: r.created_at.toISOString(),
        })),
        nextBefore: rows.length === limit ? Number(rows.at(-1)!.id) : null,
      },
      headers: NO_STORE,
    };
  },
});
