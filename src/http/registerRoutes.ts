import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { adminRoleOf } from '../admin/adminAuthTypes.js';
import type { AppContext } from '../app/AppContext.js';
import { MAX_VARIABLE_DEPTH } from '../conversations/conversationVariables.js';
import type { KeyRateLimits, PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { normalizeOrigin } from '../keys/normalizeOrigin.js';
import { adminAuth } from './auth/adminAuth.js';
import { publicKeyAuth } from './auth/publicKeyAuth.js';
import { requireScope, secretKeyAuth } from './auth/secretKeyAuth.js';
import { sessionAuth } from './auth/sessionAuth.js';
import { publicKeyGiven, type SessionOrPublicKey } from './auth/sessionOrPublicKeyAuth.js';
import { assertOrigin, originOf, setCorsHeaders } from './cors.js';
import type { AnyRoute, AuthKind, RouteInput, RouteResult } from './defineRoute.js';
import { withIdempotency } from './idempotency.js';
import { deepestPoint, formatJsonPath, MAX_JSON_DEPTH } from './jsonDepth.js';
import { clientOf, RateLimits } from './limits/RateLimits.js';
import { parse } from './parse.js';

export const JSON_BODY_LIMIT = 64 * 1024;

/** Body members whose depth is a validation rule of their own (DESIGN §12): over-deep is 422, not 400. */
const DEPTH_RULED = new Set(['variables', 'values']);

/** Registers route declarations: the only place routes reach Fastify. */
export function registerRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  routes: readonly AnyRoute[],
  limits?: RateLimits,
): void {
  for (const route of routes) {
    if ((route.auth === 'secretKey') !== (route.scope !== undefined)) {
      throw new Error(`${route.operationId}: a scope is declared by, and required of, every secretKey route`);
    }
    if (route.role !== undefined && route.auth !== 'admin') {
      throw new Error(`${route.operationId}: only admin routes declare a role`);
    }
    if (route.multipart) {
      const maxFileBytes = route.multipart.maxFileBytes;
      // Encapsulated: the multipart parser exists for this route only.
      void app.register(async (scope) => {
        await scope.register(fastifyMultipart, {
          limits: { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 1024, parts: 11 },
        });
        scope.route(defineRouteOptions(ctx, route, limits));
      });
    } else {
      app.route(defineRouteOptions(ctx, route, limits));
    }
  }
}

/** Text parts up to the first file part (a `publicKey` part among them); the file part itself is left unread. */
async function partsBeforeFile(
  request: FastifyRequest,
): Promise<{ fields: Map<string, string>; file: MultipartFile | undefined }> {
  const fields = new Map<string, string>();
  if (!request.isMultipart()) return { fields, file: undefined };
  const parts = malformedIs400(() => request.parts());
  for (;;) {
    const next = await malformedIs400(() => parts.next());
    if (next.done) return { fields, file: undefined };
    const part = next.value;
    if (part.type === 'file') return { fields, file: part };
    if (fields.has(part.fieldname)) throw new AppError('invalid_request', `The part ${part.fieldname} was sent twice.`);
    fields.set(part.fieldname, String(part.value));
  }
}

/**
 * The multipart parser (busboy) throws plain errors for a body it cannot read (no boundary, a truncated part): the
 * client's mistake, 400, never a 500. Its own limit errors carry a status and pass through.
 */
function malformedIs400<T>(read: () => T): T {
  const refused = (error: unknown): never => {
    if (error instanceof AppError || (error as { statusCode?: number }).statusCode !== undefined) throw error;
    throw new AppError('invalid_request', 'The multipart body is malformed.');
  };
  try {
    const result = read();
    return (result instanceof Promise ? result.catch(refused) : result) as T;
  } catch (error) {
    return refused(error);
  }
}

/** Fastify's options for one declaration: its URL, body limit, CORS hook and the pipeline below. */
function defineRouteOptions(ctx: AppContext, route: AnyRoute, limits: RateLimits | undefined): RouteOptions {
  const buckets = RateLimits.bucketsOf(route);
  // CORS first, so that a 429 is readable by the widget; per-IP counts before a byte of the body is read.
  const onRequest = [
    ...(route.cors ? [provisionalCors(ctx)] : []),
    ...(limits
      ? [(request: FastifyRequest, reply: FastifyReply) => limits.check(request, reply, buckets.ip, clientOf(request))]
      : []),
  ];
  const limitCaller =
    limits && buckets.credential.length > 0
      ? (request: FastifyRequest, reply: FastifyReply, caller: string, keyLimits: KeyRateLimits | undefined) =>
          limits.check(request, reply, buckets.credential, caller, keyLimits)
      : undefined;
  return {
    method: route.method,
    url: route.path.replace(/\{(\w+)\}/g, ':$1'),
    bodyLimit: route.limits?.bodyBytes ?? JSON_BODY_LIMIT,
    ...(onRequest.length > 0 ? { onRequest } : {}),
    handler: (request, reply) => run(ctx, route, request, reply, limitCaller),
  };
}

/**
 * Before the body is parsed, an origin that some active key allows gets CORS headers, so the widget can read a
 * malformed-JSON 400, a 413, a 415 or a 401 (the preflight's own rule). The real check against the request's own key
 * follows authentication; a refused origin's 403 carries none (`sendError` drops them).
 */
function provisionalCors(ctx: AppContext) {
  // A callback hook, synchronous while the origin set is cached: it runs on every public request.
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const raw = originOf(request);
    const origin = raw ? normalizeOrigin(raw) : undefined;
    if (!raw || !origin) return done();
    const known = ctx.origins.anyKeyAllows(origin);
    if (known !== undefined) {
      if (known) setCorsHeaders(reply, raw);
      return done();
    }
    ctx.origins.preflightAllows(origin, undefined).then(
      (allowed) => {
        if (allowed) setCorsHeaders(reply, raw);
        done();
      },
      (error: Error) => done(error),
    );
  };
}

/** DESIGN §4's precedence: malformed (the parser) → 401 auth → 403 origin → 400 shape → the handler's own checks. */
async function run(
  ctx: AppContext,
  route: AnyRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  limitCaller:
    | ((
        request: FastifyRequest,
        reply: FastifyReply,
        caller: string,
        keyLimits: KeyRateLimits | undefined,
      ) => Promise<void>)
    | undefined,
): Promise<unknown> {
  let origin: string | null = null;
  const checkOrigin = (key: Pick<PublicKey, 'allowed_origins' | 'allow_server_side'>) => {
    origin = assertOrigin(request, reply, key);
  };
  let auth: unknown;
  let caller = '';
  // The caller's widget key overrides, from the key row already in hand (no read of its own on the chat path).
  let keyLimits: KeyRateLimits | undefined;
  let tenantId = '';
  let verifyFirst: (() => Promise<unknown>) | undefined;
  const multipart = route.multipart ? await partsBeforeFile(request) : undefined;
  if (route.auth === 'publicKey') {
    const key = await publicKeyAuth(ctx, request, multipart?.fields.get('publicKey'));
    checkOrigin(key);
    auth = key;
    caller = `pk:${key.id}`;
    keyLimits = key.rate_limits;
    tenantId = key.tenant_id;
  } else if (route.auth === 'session') {
    const session = sessionAuth(ctx, request.headers.authorization, checkOrigin);
    // The row (revocation, the key's origins) is checked before the Idempotency-Key is looked at, so a refused origin
    // can neither replay nor record an answer; a route leaving it to its service skips the read only without a key.
    if (route.sessionRow !== 'service' || request.headers['idempotency-key'] !== undefined) await session.session();
    else verifyFirst = () => session.session();
    auth = session;
    caller = `session:${session.claims.sid}`;
    // In memory, or read just above; a message's cold resume reads its row after the count (RateLimits remembers).
    keyLimits = session.known?.key.rate_limits;
    tenantId = session.claims.tid;
  } else if (route.auth === 'sessionOrPublicKey') {
    // A session token when one is sent (its key's origins), else a public key (that key's origins); neither → 401.
    let either: SessionOrPublicKey;
    if (request.headers.authorization !== undefined) {
      const session = await sessionAuth(ctx, request.headers.authorization, checkOrigin).session();
      either = { kind: 'session', session };
      caller = `session:${session.id}`;
      keyLimits = session.key.rate_limits;
      tenantId = session.tenantId;
    } else if (publicKeyGiven(request)) {
      const key = await publicKeyAuth(ctx, request);
      checkOrigin(key);
      either = { kind: 'publicKey', key };
      caller = `pk:${key.id}`;
      keyLimits = key.rate_limits;
      tenantId = key.tenant_id;
    } else {
      throw new AppError(
        'invalid_session_token',
        'Send a session token (Authorization: Bearer <sessionToken>), or a public key with an anonymousId.',
      );
    }
    auth = either;
  } else if (route.auth === 'secretKey') {
    // Server-side: no Origin rules. 401 for the key, then 403 for its scope, both before the request's shape.
    const key = await secretKeyAuth(ctx, request.headers.authorization);
    requireScope(key, route.scope!);
    auth = key;
    caller = `sk:${key.id}`;
    tenantId = key.tenantId;
  } else if (route.auth === 'admin') {
    // 401 for the session, 403 csrf_failed for a change without its token, 403 forbidden for the role.
    const admin = await adminAuth(ctx, request, route.method, adminRoleOf(route));
    auth = admin;
    caller = `admin:${admin.userId}`;
    tenantId = admin.tenantId;
  }

  // Counted once the caller is known (a refused credential is counted per IP only), before any work of its own.
  if (caller && limitCaller) await limitCaller(request, reply, caller, keyLimits);

  let params: unknown;
  let query: unknown;
  let body: unknown;
  try {
    params = route.params ? parse(route.params, request.params, 'params') : undefined;
    query = route.query ? parse(route.query, request.query, 'query') : undefined;
    if (route.body || route.bodyDoc) checkDepth(request.body);
    body = route.body ? parse(route.body, request.body, 'body') : undefined;
  } catch (error) {
    // 401 and 403 come before a shape error: a session row left to the service is read now, on this path only.
    await verifyFirst?.();
    throw error;
  }

  let signal: AbortSignal | undefined;
  const input = (receipt: Receipt | undefined): RouteInput<AuthKind, unknown, unknown, unknown> => ({
    ctx,
    request,
    reply,
    auth: auth as never,
    params,
    query,
    body,
    origin,
    receipt,
    signal: () => {
      signal ??= closeSignal(ctx, reply);
      return signal;
    },
    ...(multipart ? { file: multipart.file } : {}),
  });
  const call = (receipt: Receipt | undefined) => route.handler(input(receipt));
  const idempotent = route.idempotent;
  const result =
    idempotent && route.auth !== 'none'
      ? await withIdempotency(
          ctx,
          request,
          reply,
          {
            tenantId,
            caller: [caller, idempotent.scope?.(auth as never, request.body)].filter(Boolean).join(':'),
            route: route.operationId,
          },
          call,
          (stored) => (idempotent.replay ? idempotent.replay(ctx, stored) : stored),
        )
      : await call(undefined);
  const response = result && route.respond ? await route.respond(input(undefined), result) : result;
  if (response === undefined) return reply;
  return send(reply, response);
}

function send(reply: FastifyReply, result: RouteResult): FastifyReply {
  if (result.headers) reply.headers(result.headers);
  return reply.code(result.status).send(result.body);
}

/** Over-deep JSON is refused before anything walks it: 422 naming the rule inside variables/values, else 400. */
function checkDepth(body: unknown): void {
  const deepest = deepestPoint(body);
  if (deepest.depth <= MAX_JSON_DEPTH) return;
  const [top] = deepest.path;
  if (typeof top === 'string' && DEPTH_RULED.has(top)) {
    const path = formatJsonPath(top, deepest.path.slice(1, 8));
    const limit = top === 'variables' ? ` (at most ${MAX_VARIABLE_DEPTH})` : '';
    throw AppError.validation(
      [{ path, rule: 'max_depth', message: `nested too deeply${limit}` }],
      `The ${top} are nested too deeply.`,
    );
  }
  throw new AppError('invalid_request', `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
}

/**
 * Aborts when the client goes away (the response's socket closes; the request's own `close` fires as soon as its
 * body is read) or the server shuts down, so long polls and streams never outlive their reader or the process.
 */
function closeSignal(ctx: AppContext, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  if (reply.raw.destroyed || reply.raw.socket?.destroyed) abort.abort();
  else reply.raw.once('close', () => abort.abort());
  return AbortSignal.any([abort.signal, ctx.shutdown.signal]);
}
