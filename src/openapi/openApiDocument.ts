import { z } from 'zod';
import { adminRoleOf } from '../admin/adminAuthTypes.js';
import { blockSchema } from '../engine/blocks.js';
import { abortReasonCatalog, errorCatalog, executionErrorCatalog } from '../errors/catalog.js';
import type { AnyRoute, AuthKind } from '../http/defineRoute.js';
import { errorEnvelope } from '../wire/chatSchemas.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

/** The OpenAPI security requirement of each auth kind (its scheme is in `components.securitySchemes`). */
export const SECURITY_OF: Record<AuthKind, JsonSchema[]> = {
  none: [],
  publicKey: [{ publicKey: [] }],
  session: [{ sessionToken: [] }],
  // Either scheme satisfies the route (OpenAPI: alternatives are separate requirement objects).
  sessionOrPublicKey: [{ sessionToken: [] }, { publicKey: [] }],
  secretKey: [{ secretKey: [] }],
  admin: [{ adminSession: [] }],
};

/** A route's security requirement: a secret-key route names the scope its key must carry (OpenAPI 3.1 allows roles). */
export function securityOf(route: Pick<AnyRoute, 'auth' | 'scope'>): JsonSchema[] {
  return route.auth === 'secretKey' && route.scope ? [{ secretKey: [route.scope] }] : SECURITY_OF[route.auth];
}

function operation(route: AnyRoute): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const r = route.response;
  responses[String(r.status)] = {
    description: r.description,
    ...(r.schema
      ? { content: { [r.contentType ?? 'application/json']: { schema: schemaOf(r.schema, 'output') } } }
      : {}),
  };
  const byStatus = new Map<number, string[]>();
  // Every route is counted per IP at least (src/http/limits), so every route can answer 429.
  for (const code of new Set([...route.errors, 'rate_limited' as const])) {
    const status = errorCatalog[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description || route.scope || route.auth === 'admin'
      ? {
          description: [
            route.description,
            route.scope ? `Requires a secret key with the scope \`${route.scope}\`.` : '',
            route.auth === 'admin'
              ? `Requires an admin session with the role \`${adminRoleOf(route)}\` or above${route.method === 'GET' ? '' : ', and the X-CSRF-Token header'}.`
              : '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        }
      : {}),
    tags: route.tags,
    security: securityOf(route),
    parameters: [
      ...parametersOf(route.params, 'path'),
      ...parametersOf(route.query, 'query'),
      ...(route.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: h.required ?? false,
        description: h.description,
        schema: { type: 'string' },
      })),
    ],
    ...(route.multipart
      ? {
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    publicKey: { type: 'string', description: 'Optional: the public key, as a part before the file.' },
                    file: { type: 'string', format: 'binary', description: 'One file part (any part name).' },
                  },
                  required: ['file'],
                },
                encoding: { file: { contentType: 'application/octet-stream' } },
              },
            },
          },
        }
      : {}),
    ...((route.bodyDoc ?? route.body)
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf((route.bodyDoc ?? route.body)!, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes parse with. */
export function openApiDocument(routes: readonly AnyRoute[], serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    if (route.hidden) continue;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  const blockVariants = (schemaOf(blockSchema, 'output').anyOf ?? schemaOf(blockSchema, 'output').oneOf) as
    | JsonSchema[]
    | undefined;
  const blockSchemas: Record<string, JsonSchema> = {};
  for (const variant of blockVariants ?? []) {
    const type = (variant.properties as Record<string, { const?: string }> | undefined)?.type?.const ?? undefined;
    if (type) blockSchemas[`Block_${type}`] = variant;
  }
  const errorRows = Object.entries(errorCatalog)
    .map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.retryable ? 'retry' : 'abort'} | ${e.doc} |`)
    .join('\n');
  const executionRows = Object.entries(executionErrorCatalog)
    .map(([code, doc]) => `| \`${code}\` | ${doc} |`)
    .join('\n');
  const reasonRows = Object.entries(abortReasonCatalog)
    .map(([code, doc]) => `| \`${code}\` | ${doc} |`)
    .join('\n');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Comerix API',
      version: '1.0.0',
      description: [
        'Public HTTP API for a third-party chat widget driving published flows, and the server-side Engine API.',
        '',
        'Every error uses one envelope: `{"error":{"code","message","status","retryable","details"?,"requestId"}}`.',
        '',
        '| code | status | retry or abort | meaning |',
        '|---|---|---|---|',
        errorRows,
        '',
        "Execution codes (a failed execution's `error.code`):",
        '',
        '| code | meaning |',
        '|---|---|',
        executionRows,
        '',
        "Abort reasons (an aborted execution's `reason`):",
        '',
        '| reason | meaning |',
        '|---|---|',
        reasonRows,
      ].join('\n'),
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'Chat', description: 'Drive a conversation against a published flow.' },
      {
        name: 'Engine',
        description: 'Server-side reads and control of executions, conversations and sessions (secret key).',
      },
    ],
    paths,
    components: {
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', description: 'The sessionToken from POST /chat/sessions.' },
        secretKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A secret key (sk_live_ + 40 hex), server-side only, from `comerix secret-key:create`. Each operation names the scope it needs.',
        },
        adminSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'comerix_admin',
          description:
            'The admin session cookie set by POST /api/admin/v1/auth/login. Every method but GET also needs the header X-CSRF-Token (the csrfToken of the login answer or of GET /api/admin/v1/me). Each operation names the least role it needs.',
        },
        publicKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Comerix-Public-Key',
          description: 'The public widget key (pk_live_…); also accepted as ?publicKey= or a publicKey body field.',
        },
      },
      schemas: {
        ErrorEnvelope: {
          ...schemaOf(errorEnvelope, 'output'),
          properties: {
            error: {
              ...((schemaOf(errorEnvelope, 'output').properties as Record<string, JsonSchema>).error ?? {}),
              properties: {
                ...(((schemaOf(errorEnvelope, 'output').properties as Record<string, JsonSchema>).error
                  ?.properties as Record<string, JsonSchema>) ?? {}),
                code: { type: 'string', enum: Object.keys(errorCatalog) },
              },
            },
          },
        },
        ExecutionErrorCode: { type: 'string', enum: Object.keys(executionErrorCatalog) },
        Block: schemaOf(blockSchema, 'output'),
        ...blockSchemas,
      },
    },
  };
}
