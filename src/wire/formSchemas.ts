// Wire shapes of the standalone form endpoints (DESIGN §8).
import { z } from 'zod';

export const formFieldWire = z
  .object({
    name: z.string(),
    type: z.string(),
    label: z.string(),
    required: z.boolean().optional(),
    placeholder: z.string().optional(),
    options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: z.string().optional(),
    accept: z.array(z.string()).optional(),
    maxSizeBytes: z.number().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .describe('A §8 field: the same schema as an ask node’s fields.');

/** The render-safe schema both form reads answer. */
export const formSchemaResponse = z.object({
  id: z.uuid(),
  code: z.string(),
  version: z.number().int(),
  title: z.string(),
  fields: z.array(formFieldWire),
  submitLabel: z.string(),
});
export type FormSchemaBody = z.infer<typeof formSchemaResponse>;

export const formParams = z.object({
  codeOrId: z.string().min(1).max(64).describe('The form’s code (e.g. contact) or its id.'),
});

export const publicKeyQuery = z.object({
  publicKey: z.string().optional().describe('The public key (or the X-Comerix-Public-Key header).'),
});

export const submitFormRequest = z.object({
  values: z.record(z.string(), z.unknown()).describe('Field name → value; a file field takes a fileRef.id.'),
  publicKey: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional().describe('Up to 4 KB of your own context.'),
});

export const submitFormResponse = z.object({
  submissionId: z.uuid(),
  confirmation: z.object({ message: z.string().optional(), redirectUrl: z.string().optional() }),
});

export const uploadQuery = z.object({
  field: z.string().min(1).max(64).describe('The file field the upload is for (required).'),
  publicKey: z.string().optional(),
});

export const fileRefResponse = z.object({
  fileRef: z.object({
    id: z.uuid(),
    name: z.string(),
    size: z.number().int(),
    contentType: z.string(),
    sha256: z.string().describe('Lowercase hex SHA-256 of the bytes.'),
  }),
});

export const chatUploadQuery = z.object({
  executionId: z.uuid(),
  field: z.string().min(1).max(64),
});
