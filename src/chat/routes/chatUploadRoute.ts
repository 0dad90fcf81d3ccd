import { AppError } from '../../errors/AppError.js';
import type { Field } from '../../fields/types.js';
import { defineRoute } from '../../http/defineRoute.js';
import { checkUploadQuota } from '../../uploads/checkUploadQuota.js';
import { MAX_FILE_BYTES, storeUpload } from '../../uploads/storeUpload.js';
import { chatUploadQuery, fileRefResponse } from '../../wire/formSchemas.js';
import { CHAT_BASE, originHeader, SESSION_ROUTE_ERRORS } from './sessionRouteErrors.js';

export const chatUploadRoute = defineRoute({
  method: 'POST',
  path: `${CHAT_BASE}/uploads`,
  operationId: 'uploadChatFile',
  summary: 'Upload a file for the waiting ask step’s file field',
  description:
    'multipart/form-data with one file part, for a `file` field of the execution’s waiting `ask` step (`?executionId=&field=`). The same rules as form uploads: the size limit of the field (default 10 MB) → 413 with nothing kept, the type sniffed from the bytes → 415 when the field does not accept it. The resume then passes the `fileRef.id` as the field’s value; only uploads of this conversation are accepted there.',
  tags: ['Chat'],
  auth: 'session',
  cors: true,
  query: chatUploadQuery,
  multipart: { maxFileBytes: MAX_FILE_BYTES },
  limits: { rate: ['uploads_per_ip'], bodyBytes: MAX_FILE_BYTES + 64 * 1024 },
  headers: [originHeader],
  response: { status: 201, description: 'Stored', schema: fileRefResponse },
  errors: [
    ...SESSION_ROUTE_ERRORS,
    'execution_not_found',
    'execution_not_waiting',
    'payload_too_large',
    'unsupported_media_type',
    'rate_limited',
  ],
  handler: async ({ ctx, auth, query, file }) => {
    const session = await auth.session();
    const execution = await ctx.kysely
      .selectFrom('executions')
      .select(['status', 'wait_kind', 'wait_fields'])
      .where('tenant_id', '=', session.tenantId)
      .where('id', '=', query.executionId)
      .where('conversation_id', '=', session.conversationId)
      .executeTakeFirst();
    if (!execution) throw new AppError('execution_not_found', 'No such execution in this conversation.');
    if (execution.status !== 'waiting_input' || execution.wait_kind !== 'input') {
      throw new AppError('execution_not_waiting', `The execution is ${execution.status}, not waiting for input.`);
    }
    const field = ((execution.wait_fields ?? []) as unknown as Field[]).find((f) => f.name === query.field);
    if (!field) throw new AppError('invalid_request', `The waiting step has no field "${query.field}".`);
    if (field.type !== 'file') throw new AppError('invalid_request', `The field "${query.field}" is not a file field.`);
    if (!file) throw new AppError('invalid_request', 'Send the file as a multipart/form-data file part.');
    await checkUploadQuota(ctx, session.key.id);
    const fileRef = await storeUpload(ctx, {
      tenantId: session.tenantId,
      owner: { kind: 'chat', conversationId: session.conversationId, executionId: query.executionId },
      field,
      filename: file.filename,
      claimedType: file.mimetype,
      stream: file.file,
    });
    ctx.meter.count(session.tenantId, session.key.id, 'upload');
    return { status: 201, body: { fileRef } };
  },
});
