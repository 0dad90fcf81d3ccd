import {
  createFlow,
  diffVersions,
  getFlow,
  getVersion,
  listFlowsOf,
  listVersions,
  publishFlowById,
  rollbackFlow,
  unpublishFlowById,
  updateDraft,
  validateDraft,
} from '../../flows/flowsById.js';
import { defineRoute } from '../../http/defineRoute.js';
import {
  adminIdParams,
  adminVersionParams,
  diffQuery,
  flowDefinitionBody,
  flowDetail,
  flowDiff,
  flowList,
  flowProblems,
  flowVersion,
  flowVersionList,
  rollbackBody,
  testSessionAnswer,
  validateFlowBody,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { openTestSession } from '../openTestSession.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const FLOWS = `${ADMIN_BASE}/flows`;
const TAGS = ['Admin: flows'];
// A flow file may be as large as 500 nodes of text.
const FLOW_BODY_BYTES = 1024 * 1024;

export const listFlowsRoute = defineRoute({
  method: 'GET',
  path: FLOWS,
  operationId: 'adminListFlows',
  summary: "The tenant's flows",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The flows', schema: flowList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { flows: await listFlowsOf(ctx, auth.tenantId) },
    headers: NO_STORE,
  }),
});

export const createFlowRoute = defineRoute({
  method: 'POST',
  path: FLOWS,
  operationId: 'adminCreateFlow',
  summary: 'Create a flow from a definition (saved as its draft, not published)',
  description: 'The intent must be new to the tenant. An invalid definition → 422 with every problem and its node id.',
  tags: TAGS,
  auth: 'admin',
  body: flowDefinitionBody,
  limits: { bodyBytes: FLOW_BODY_BYTES },
  response: { status: 201, description: 'The flow', schema: flowDetail },
  errors: [...ADMIN_WRITE_ERRORS, 'payload_too_large', 'validation_failed'],
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: await createFlow(ctx, auth.tenantId, body, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const getFlowRoute = defineRoute({
  method: 'GET',
  path: `${FLOWS}/{id}`,
  operationId: 'adminGetFlow',
  summary: 'A flow with its draft',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The flow', schema: flowDetail },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await getFlow(ctx, auth.tenantId, params.id),
    headers: NO_STORE,
  }),
});

export const updateDraftRoute = defineRoute({
  method: 'PUT',
  path: `${FLOWS}/{id}/draft`,
  operationId: 'adminUpdateFlowDraft',
  summary: "Replace a flow's draft",
  description: 'The intent name cannot change. Published versions are untouched until the next publish.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  body: flowDefinitionBody,
  limits: { bodyBytes: FLOW_BODY_BYTES },
  response: { status: 200, description: 'The flow', schema: flowDetail },
  errors: [...ADMIN_WRITE_ERRORS, 'payload_too_large', 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await updateDraft(ctx, auth.tenantId, params.id, body, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const validateFlowRoute = defineRoute({
  method: 'POST',
  path: `${FLOWS}/{id}/validate`,
  operationId: 'adminValidateFlow',
  summary: 'Check a definition (or the saved draft): every problem with its node id',
  description: 'Changes nothing, so it needs only the viewer role (and, being a POST, the CSRF token).',
  tags: TAGS,
  auth: 'admin',
  role: 'viewer',
  params: adminIdParams,
  body: validateFlowBody,
  limits: { bodyBytes: FLOW_BODY_BYTES },
  response: { status: 200, description: 'The problems', schema: flowProblems },
  errors: [...ADMIN_WRITE_ERRORS, 'payload_too_large', 'not_found'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await validateDraft(ctx, auth.tenantId, params.id, body.definition),
    headers: NO_STORE,
  }),
});

export const publishFlowRoute = defineRoute({
  method: 'POST',
  path: `${FLOWS}/{id}/publish`,
  operationId: 'adminPublishFlow',
  summary: 'Publish the draft as a new version',
  description:
    'A draft equal to the latest version publishes that version again. Executions keep the version they started on.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The published version', schema: flowVersion },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await publishFlowById(ctx, auth.tenantId, params.id, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const unpublishFlowRoute = defineRoute({
  method: 'POST',
  path: `${FLOWS}/{id}/unpublish`,
  operationId: 'adminUnpublishFlow',
  summary: 'Take the flow off the widget (its intent is no longer offered)',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The flow', schema: flowDetail },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await unpublishFlowById(ctx, auth.tenantId, params.id, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const listVersionsRoute = defineRoute({
  method: 'GET',
  path: `${FLOWS}/{id}/versions`,
  operationId: 'adminListFlowVersions',
  summary: "A flow's versions, newest first",
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The versions', schema: flowVersionList },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: { versions: await listVersions(ctx, auth.tenantId, params.id) },
    headers: NO_STORE,
  }),
});

export const getVersionRoute = defineRoute({
  method: 'GET',
  path: `${FLOWS}/{id}/versions/{version}`,
  operationId: 'adminGetFlowVersion',
  summary: 'A version with its definition',
  tags: TAGS,
  auth: 'admin',
  params: adminVersionParams,
  response: { status: 200, description: 'The version', schema: flowVersion },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => ({
    status: 200,
    body: await getVersion(ctx, auth.tenantId, params.id, params.version),
    headers: NO_STORE,
  }),
});

export const diffVersionsRoute = defineRoute({
  method: 'GET',
  path: `${FLOWS}/{id}/diff`,
  operationId: 'adminDiffFlowVersions',
  summary: 'What changed between two versions (or a version and the draft), per node and edge',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  query: diffQuery,
  response: { status: 200, description: 'The differences', schema: flowDiff },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: await diffVersions(ctx, auth.tenantId, params.id, query.from, query.to),
    headers: NO_STORE,
  }),
});

export const rollbackFlowRoute = defineRoute({
  method: 'POST',
  path: `${FLOWS}/{id}/rollback`,
  operationId: 'adminRollbackFlow',
  summary: 'Publish an earlier version again',
  description: 'New executions start on it; running ones finish on their own version. The draft is left as it is.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  body: rollbackBody,
  response: { status: 200, description: 'The published version', schema: flowVersion },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: await rollbackFlow(ctx, auth.tenantId, params.id, body.version, adminActor(auth)),
    headers: NO_STORE,
  }),
});

export const testSessionRoute = defineRoute({
  method: 'POST',
  path: `${FLOWS}/{id}/test-sessions`,
  operationId: 'adminOpenTestSession',
  summary: 'Open a test session on the draft (the test pane)',
  description:
    'Snapshots the draft as a test version — never published, never visible to widget keys — and mints a session of 30 minutes bound to it. The session talks to the ordinary public chat endpoints (`/api/public/v1/chat/messages` with its intent, polls, streams) from the admin panel’s origin (COMERIX_PUBLIC_URL) only; its executions are marked test and never count in analytics.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 201, description: 'The test session', schema: testSessionAnswer },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params }) => ({
    status: 201,
    body: await openTestSession(ctx, auth, params.id),
    headers: NO_STORE,
  }),
});
