import {
  createConnection,
  deleteConnection,
  listConnections,
  testConnection,
  updateConnection,
} from '../../connections/connectionService.js';
import { connectionWireView } from '../../connections/connectionWireView.js';
import { defineRoute } from '../../http/defineRoute.js';
import {
  connectionList,
  connectionNameParams,
  connectionTestAnswer,
  connectionTestBody,
  connectionView,
  createConnectionBody,
  updateConnectionBody,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const CONNECTIONS = `${ADMIN_BASE}/connections`;
const TAGS = ['Admin: connections'];

const view = connectionWireView;

function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

export const listConnectionsRoute = defineRoute({
  method: 'GET',
  path: CONNECTIONS,
  operationId: 'adminListConnections',
  summary: "The tenant's connections (never their secrets)",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The connections', schema: connectionList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { connections: (await listConnections(ctx, auth.tenantId)).map(view) },
    headers: NO_STORE,
  }),
});

export const createConnectionRoute = defineRoute({
  method: 'POST',
  path: CONNECTIONS,
  operationId: 'adminCreateConnection',
  summary: 'Create a connection; its secret is write-only',
  description: 'The rules of `comerix connection:create`. The secret is sealed before it is stored and never returned.',
  tags: TAGS,
  auth: 'admin',
  body: createConnectionBody,
  response: { status: 201, description: 'The connection', schema: connectionView },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: view(await createConnection(ctx, { tenantId: auth.tenantId, ...defined(body) }, adminActor(auth))),
    headers: NO_STORE,
  }),
});

export const updateConnectionRoute = defineRoute({
  method: 'PATCH',
  path: `${CONNECTIONS}/{name}`,
  operationId: 'adminUpdateConnection',
  summary: 'Change a connection (settings and/or secret)',
  description: 'Without a new secret the stored one is kept; a new auth type needs its secret.',
  tags: TAGS,
  auth: 'admin',
  params: connectionNameParams,
  body: updateConnectionBody,
  response: { status: 200, description: 'The connection', schema: connectionView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: view(await updateConnection(ctx, auth.tenantId, params.name, defined(body), adminActor(auth))),
    headers: NO_STORE,
  }),
});

export const deleteConnectionRoute = defineRoute({
  method: 'DELETE',
  path: `${CONNECTIONS}/{name}`,
  operationId: 'adminDeleteConnection',
  summary: 'Delete a connection',
  tags: TAGS,
  auth: 'admin',
  params: connectionNameParams,
  response: { status: 200, description: 'What it was', schema: connectionView },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: view(await deleteConnection(ctx, auth.tenantId, params.name, adminActor(auth))),
    headers: NO_STORE,
  }),
});

export const testConnectionRoute = defineRoute({
  method: 'POST',
  path: `${CONNECTIONS}/{name}/test`,
  operationId: 'adminTestConnection',
  summary: 'Test a connection: one GET of its base URL (or a path below it) with its auth',
  description: 'Changes nothing. A failure is an answer (`ok: false` with the error), not an error status.',
  tags: TAGS,
  auth: 'admin',
  params: connectionNameParams,
  body: connectionTestBody,
  response: { status: 200, description: 'The result', schema: connectionTestAnswer },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, body, signal }) => ({
    status: 200,
    body: await testConnection(ctx, auth.tenantId, params.name, {
      ...(body.path !== undefined ? { path: body.path } : {}),
      signal: signal(),
    }),
    headers: NO_STORE,
  }),
});
