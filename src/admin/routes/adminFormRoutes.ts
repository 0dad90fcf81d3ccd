import type { Form } from '../../db/types.js';
import { getForm, importForm, listFormSubmissions, listForms, publishForm } from '../../forms/formService.js';
import { defineRoute } from '../../http/defineRoute.js';
import { uploadForAdmin } from '../../uploads/uploadForAdmin.js';
import {
  adminIdParams,
  formDefinitionBody,
  formDetail,
  formList,
  formPublished,
  formSummary,
  submissionList,
  submissionsQuery,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const FORMS = `${ADMIN_BASE}/forms`;
const TAGS = ['Admin: forms'];

function summary(f: Form) {
  return {
    id: f.id,
    code: f.code,
    publishedVersionId: f.published_version_id,
    latestVersion: f.latest_version,
    updatedAt: f.updated_at.toISOString(),
  };
}

export const listFormsRoute = defineRoute({
  method: 'GET',
  path: FORMS,
  operationId: 'adminListForms',
  summary: "The tenant's forms",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The forms', schema: formList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { forms: (await listForms(ctx, auth.tenantId)).map(summary) },
    headers: NO_STORE,
  }),
});

export const getFormRoute = defineRoute({
  method: 'GET',
  path: `${FORMS}/{id}`,
  operationId: 'adminGetForm',
  summary: 'A form with its draft and its published definition',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The form', schema: formDetail },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    const { form, published } = await getForm(ctx, auth.tenantId, params.id);
    return {
      status: 200,
      body: {
        ...summary(form),
        draft: form.draft,
        published: published
          ? { id: published.id, version: published.version, definition: published.definition }
          : null,
      },
      headers: NO_STORE,
    };
  },
});

export const saveFormDraftRoute = defineRoute({
  method: 'POST',
  path: FORMS,
  operationId: 'adminSaveFormDraft',
  summary: 'Save a form file as the draft of its code’s form (creating the form)',
  description:
    'The rules of `comerix form:import` ([Widget settings](widget-settings.md)); widgets see it after a publish.',
  tags: TAGS,
  auth: 'admin',
  body: formDefinitionBody,
  response: { status: 200, description: 'The form', schema: formSummary },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, body }) => {
    const { form } = await importForm(ctx, auth.tenantId, body, { actor: adminActor(auth) });
    return { status: 200, body: summary(form), headers: NO_STORE };
  },
});

export const publishFormRoute = defineRoute({
  method: 'POST',
  path: `${FORMS}/{id}/publish`,
  operationId: 'adminPublishForm',
  summary: 'Publish the draft as a version (the latest again when equal) and rebuild the widget settings',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The form', schema: formPublished },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found', 'validation_failed'],
  handler: async ({ ctx, auth, params }) => {
    const { form: found } = await getForm(ctx, auth.tenantId, params.id);
    const { form, version } = await publishForm(ctx, auth.tenantId, found.code, adminActor(auth));
    return { status: 200, body: { ...summary(form), version: version.version }, headers: NO_STORE };
  },
});

export const formSubmissionsRoute = defineRoute({
  method: 'GET',
  path: `${FORMS}/{id}/submissions`,
  operationId: 'adminListFormSubmissions',
  summary: "A form's submissions, newest first",
  description: 'Upload fields hold upload ids: `GET /uploads/{id}` downloads one.',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  query: submissionsQuery,
  response: { status: 200, description: 'One page', schema: submissionList },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: await listFormSubmissions(ctx, auth.tenantId, params.id, {
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    }),
    headers: NO_STORE,
  }),
});

// A hostile upload must never run in the panel's origin: an attachment, never sniffed, sandboxed (DESIGN §8).
export const downloadUploadRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/uploads/{id}`,
  operationId: 'adminDownloadUpload',
  summary: 'Download an uploaded file (as an attachment, nosniff, sandboxed)',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 200, description: 'The file', contentType: 'application/octet-stream' },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    const file = await uploadForAdmin(ctx, auth.tenantId, params.id);
    return { status: 200, body: file.bytes, headers: file.headers };
  },
});
