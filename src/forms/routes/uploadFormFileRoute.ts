import { AppError } from '../../errors/AppError.js';
import { defineRoute } from '../../http/defineRoute.js';
import { checkUploadQuota } from '../../uploads/checkUploadQuota.js';
import { MAX_FILE_BYTES, storeUpload } from '../../uploads/storeUpload.js';
import { fileRefResponse, formParams, uploadQuery } from '../../wire/formSchemas.js';
import { liveFormFor } from '../submitForm.js';
import { PUBLIC_BASE, PUBLIC_KEY_ROUTE_ERRORS, publicKeyHeaders } from './formRouteErrors.js';

export const uploadFormFileRoute = defineRoute({
  method: 'POST',
  path: `${PUBLIC_BASE}/forms/{codeOrId}/uploads`,
  operationId: 'uploadFormFile',
  summary: 'Upload a file for a form’s file field',
  description:
    'multipart/form-data with one file part (any part name). `?field=` names the form’s file field (missing, unknown or not a file field → 400). The key is checked before the file is read: pass it as `?publicKey=`, `X-Comerix-Public-Key`, or a `publicKey` part before the file part. Over the field’s `maxSizeBytes` (default 10 MB) → 413 and nothing is kept; the type is sniffed from the bytes, never taken from the client, and a type the field does not `accept` → 415. Answers a `fileRef` whose `id` a submission of this form (with this key) may reference once; unreferenced uploads are removed after 24 h.',
  tags: ['Forms'],
  auth: 'publicKey',
  cors: true,
  params: formParams,
  query: uploadQuery,
  multipart: { maxFileBytes: MAX_FILE_BYTES },
  limits: { rate: ['uploads_per_ip'], bodyBytes: MAX_FILE_BYTES + 64 * 1024 },
  headers: publicKeyHeaders,
  response: {
    status: 201,
    description: 'Stored',
    schema: fileRefResponse,
  },
  errors: [
    ...PUBLIC_KEY_ROUTE_ERRORS,
    'form_not_allowed',
    'form_not_found',
    'payload_too_large',
    'unsupported_media_type',
    'rate_limited',
  ],
  handler: async ({ ctx, auth, params, query, file }) => {
    const form = await liveFormFor(ctx, auth, params.codeOrId);
    const field = form.definition.fields.find((f) => f.name === query.field);
    if (!field) throw new AppError('invalid_request', `The form has no field "${query.field}".`);
    if (field.type !== 'file') throw new AppError('invalid_request', `The field "${query.field}" is not a file field.`);
    if (!file) throw new AppError('invalid_request', 'Send the file as a multipart/form-data file part.');
    await checkUploadQuota(ctx, auth.id);
    const fileRef = await storeUpload(ctx, {
      tenantId: auth.tenant_id,
      owner: { kind: 'form', formId: form.id, publicKeyId: auth.id },
      field,
      filename: file.filename,
      claimedType: file.mimetype,
      stream: file.file,
    });
    ctx.meter.count(auth.tenant_id, auth.id, 'upload');
    return { status: 201, body: { fileRef } };
  },
});
