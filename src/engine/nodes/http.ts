// `http`: renders a request to a named Connection and hands it to a queue worker (`waiting_time`); the worker resumes
// the execution with the response, stored under `vars.<saveAs>`. The path is below the connection's base URL and
// every templated value in it is percent-encoded, so no template can steer the request to another host (§5).
import { z } from 'zod';
import { pathTemplateProblems, renderedPathProblem } from '../httpPath.js';
import { jsonTemplateSchema, jsonTemplateSites, renderJsonTemplate } from '../jsonTemplates.js';
import { parseTemplate } from '../templates.js';
import type { HttpJobRequest, HttpMethod } from '../types.js';
import { defaultPortOnly, nodeBase, varNameSchema } from './common.js';
import { defineNode, type ExpressionSite } from './types.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const satisfies readonly HttpMethod[];
/** The same rule connections are created with (src/connections), so a node can only name a connection that can exist. */
export const CONNECTION_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
/** RFC 7230 `token`: the characters a header field name may have. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the HTTP client owns: routing, message framing, and the idempotency key it sets on every request. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
  'idempotency-key',
]);
const MAX_ENTRIES = 50;
// CR and LF split headers; NUL is refused by every HTTP stack.
const HEADER_BREAK = /[\r\n\0]/;

const entriesSchema = (key: z.ZodString, value: z.ZodString) =>
  z.record(key, value).refine((record) => Object.keys(record).length <= MAX_ENTRIES, {
    message: `at most ${MAX_ENTRIES} entries`,
  });

export const httpNodeSchema = z
  .strictObject({
    ...nodeBase('http'),
    connection: z.string().regex(CONNECTION_NAME_PATTERN, 'a connection name: must match ^[a-z][a-z0-9_-]{0,63}$'),
    method: z.enum(HTTP_METHODS),
    path: z
      .string()
      .min(1)
      .max(2_000)
      .superRefine((path, ctx) => {
        for (const message of pathTemplateProblems(path)) ctx.addIssue({ code: 'custom', message });
      }),
    query: entriesSchema(z.string().min(1).max(256), z.string().max(2_000)).optional(),
    headers: entriesSchema(z.string(), z.string().max(8_192))
      .superRefine((headers, ctx) => {
        const seen = new Set<string>();
        for (const [name, value] of Object.entries(headers)) {
          const message = headerProblem(name, value, seen);
          if (message) ctx.addIssue({ code: 'custom', path: [name], message });
          seen.add(name.toLowerCase());
        }
      })
      .optional(),
    body: jsonTemplateSchema.optional(),
    saveAs: varNameSchema.optional(),
    timeoutMs: z.number().int().min(100).max(60_000).optional(),
  })
  .superRefine((node, ctx) => {
    if (node.method === 'GET' && node.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'a GET request has no body' });
    }
  });

export const httpNode = defineNode({
  type: 'http',
  schema: httpNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) => [
    { path: ['path'], source: node.path, kind: 'template' },
    ...recordSites(node.query, 'query'),
    ...recordSites(node.headers, 'headers'),
    ...(node.body === undefined ? [] : jsonTemplateSites(node.body, ['body'])),
  ],
  async run(node, rt) {
    const path = await rt.render(node.path, 'path');
    const pathProblem = renderedPathProblem(path);
    if (pathProblem) return { kind: 'fail', code: 'http_error', message: pathProblem };
    const job: HttpJobRequest = { kind: 'http', connection: node.connection, method: node.method, path };
    if (node.query) {
      job.query = {};
      // Raw strings: the HTTP client percent-encodes query values.
      for (const [name, template] of Object.entries(node.query)) job.query[name] = await rt.render(template, 'text');
    }
    if (node.headers) {
      job.headers = {};
      for (const [name, template] of Object.entries(node.headers)) {
        const value = await rt.render(template, 'text');
        if (HEADER_BREAK.test(value)) {
          return { kind: 'fail', code: 'http_error', message: `header "${name}" would contain CR, LF or NUL` };
        }
        job.headers[name] = value;
      }
    }
    if (node.body !== undefined) {
      const body = await renderJsonTemplate(node.body, rt);
      if (body !== undefined) job.body = body;
    }
    if (node.timeoutMs !== undefined) job.timeoutMs = node.timeoutMs;
    return { kind: 'job', job };
  },
  jobResult(node, result, rt) {
    if (node.saveAs) rt.vars[node.saveAs] = result;
    return null;
  },
});

function recordSites(record: Record<string, string> | undefined, key: string): ExpressionSite[] {
  return Object.entries(record ?? {}).map(([name, source]) => ({ path: [key, name], source, kind: 'template' }));
}

function headerProblem(name: string, template: string, seen: ReadonlySet<string>): string | null {
  if (!HEADER_NAME_PATTERN.test(name)) return `header name "${name}" is not a valid token (RFC 7230)`;
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.has(lower)) return `header "${name}" is set by the HTTP client and cannot be templated`;
  if (seen.has(lower)) return `header "${name}" is given twice (names are case-insensitive)`;
  if (literalBreak(template)) return `header "${name}" contains CR, LF or NUL`;
  return null;
}

/** Whether the literal text of a header template already breaks the header (inserted values are checked at run). */
function literalBreak(template: string): boolean {
  try {
    return parseTemplate(template).some((part) => part.kind === 'literal' && HEADER_BREAK.test(part.text));
  } catch {
    return HEADER_BREAK.test(template);
  }
}
