import type { z } from 'zod';
import type { ErrorCode } from '../errors/catalog.js';

/** What the OpenAPI document says about one route; each domain's routes file exports its list. */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete' | 'patch' | 'put';
  /** OpenAPI path, e.g. /api/public/v1/chat/executions/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: 'none' | 'publicKey' | 'session';
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  headers?: { name: string; description: string; required?: boolean }[];
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  errors: ErrorCode[];
}
