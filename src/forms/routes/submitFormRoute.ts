import { defineRoute } from '../../http/defineRoute.js';
import { formParams, publicKeyQuery, submitFormRequest, submitFormResponse } from '../../wire/formSchemas.js';
import { submitForm } from '../submitForm.js';
import { PUBLIC_BASE, PUBLIC_KEY_ROUTE_ERRORS, publicKeyHeaders } from './formRouteErrors.js';

export const submitFormRoute = defineRoute({
  method: 'POST',
  path: `${PUBLIC_BASE}/forms/{codeOrId}/submissions`,
  operationId: 'submitForm',
  summary: 'Submit a form',
  description:
    'Values are validated server-side against the published version: 422 `validation_failed` names each failing field (`details.fields[].path` such as `values.email`). A file field takes the `fileRef.id` of an upload made to this form with this key, unused and not expired (else 422, rule `file_ref`). Answers the form’s confirmation message or redirect URL. Honours `Idempotency-Key`: the same key and body replay the first answer (one submission).',
  tags: ['Forms'],
  auth: 'publicKey',
  limits: { rate: ['submissions_per_ip', 'submissions_per_public_key'] },
  cors: true,
  params: formParams,
  query: publicKeyQuery,
  body: submitFormRequest,
  headers: [
    ...publicKeyHeaders,
    {
      name: 'Idempotency-Key',
      description: 'Optional. The same key with the same body within 24 h replays the stored response.',
    },
  ],
  response: { status: 201, description: 'Submitted', schema: submitFormResponse },
  errors: [
    ...PUBLIC_KEY_ROUTE_ERRORS,
    'form_not_allowed',
    'form_not_found',
    'validation_failed',
    'idempotency_key_reused',
    'idempotency_in_progress',
    'payload_too_large',
    'unsupported_media_type',
  ],
  idempotent: {},
  handler: async ({ ctx, auth, params, body, origin, receipt }) => ({
    status: 201,
    body: await submitForm(
      ctx,
      auth,
      params.codeOrId,
      { values: body.values, metadata: body.metadata },
      origin,
      receipt,
    ),
  }),
});
