import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AdminAuth } from '../admin/adminAuthTypes.js';
import type { AppContext } from '../app/AppContext.js';
import type { AdminRole, PublicKey, SecretKeyScope } from '../db/types.js';
import type { ErrorCode } from '../errors/catalog.js';
import type { Receipt } from '../idempotency/Receipt.js';
import type { SecretKeyAuth } from './auth/secretKeyAuth.js';
import type { ChatSession, SessionAuth } from './auth/sessionAuth.js';
import type { SessionOrPublicKey } from './auth/sessionOrPublicKeyAuth.js';
import type { RateBucketName } from './limits/rateBuckets.js';

/**
 * How a route's caller proves who it is. `session` checks the token's signature and expiry before anything else;
 * the session row (revocation, its key's status and origins) is checked by the route too, unless the route declares
 * `sessionRow: 'service'`, in which case the service checks it inside its own read (one round trip less).
 * `sessionOrPublicKey` takes a session token (Authorization: Bearer; the session's key's origins apply) or, without
 * one, a public key (the key's origins apply): client telemetry sent before a session exists.
 * `secretKey` is a server-side `Authorization: Bearer sk_live_…` (no Origin rules); the route names the `scope` the
 * key must carry.
 * `admin` is the admin panel's session cookie; any method but GET must also carry the session's `X-CSRF-Token`, and
 * the user's role must be at least the route's `role`.
 */
export type AuthKind = 'none' | 'publicKey' | 'session' | 'sessionOrPublicKey' | 'secretKey' | 'admin';

/** What the handler receives as `auth` for each kind. */
export interface AuthOf {
  none: undefined;
  publicKey: PublicKey;
  session: SessionAuth;
  sessionOrPublicKey: SessionOrPublicKey;
  secretKey: SecretKeyAuth;
  admin: AdminAuth;
}

export interface HeaderDoc {
  name: string;
  description: string;
  required?: boolean;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Idempotency-Key handling (DESIGN §4): the answer is recorded with the change it answers. */
export interface IdempotencySpec<A extends AuthKind> {
  /**
   * Narrows the record's caller beyond the credential, from the raw body: session opens share a public key, so they
   * are scoped by customerId as well.
   */
  scope?(auth: AuthOf[A], rawBody: unknown): string | undefined;
  /** Turns a stored answer back into the response (tokens are never stored: they are signed or derived again). */
  replay?(ctx: AppContext, stored: RouteResult): Promise<RouteResult> | RouteResult;
}

export interface RouteInput<A extends AuthKind, P, Q, B> {
  ctx: AppContext;
  request: FastifyRequest;
  reply: FastifyReply;
  auth: AuthOf[A];
  params: P;
  query: Q;
  body: B;
  /** The normalised Origin the request was allowed from (null: none sent, as server-side callers and GETs may). */
  origin: string | null;
  /** Present when the request carried an Idempotency-Key: services write it with their change. */
  receipt: Receipt | undefined;
  /** Aborts when the client goes away or the server shuts down (long polls, streams). */
  signal: () => AbortSignal;
  /**
   * `multipart` routes: the first file part, not read yet (the caller was authenticated before a byte of it was);
   * undefined when the request carried none.
   */
  file?: MultipartFile | undefined;
}

export interface RouteDefinition<
  A extends AuthKind = AuthKind,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI form: /api/public/v1/chat/executions/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Left out of the OpenAPI document (the document itself, its viewer's assets). */
  hidden?: boolean;
  auth: A;
  /** Public API routes get the widget's CORS rules (DESIGN §4). */
  cors?: boolean;
  sessionRow?: 'route' | 'service';
  /** `auth: 'secretKey'` only, and required there: the scope the key must carry, else 403 `forbidden`. */
  scope?: A extends 'secretKey' ? SecretKeyScope : never;
  /** `auth: 'admin'` only: the least role that may call it (default: viewer for GET, editor otherwise). */
  role?: A extends 'admin' ? AdminRole : never;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body as documented, for a route that declares no `body` and reads `request.body` itself (after the
   * pipeline's depth check): telemetry answers a bad event — even one holding a NUL — in its per-event result, or 422,
   * never with the pipeline's 400 for the whole batch.
   */
  bodyDoc?: z.ZodType;
  headers?: HeaderDoc[];
  response: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Every code the route can answer; the OpenAPI document lists them and the auth suite checks the auth ones. */
  errors: ErrorCode[];
  /**
   * `rate`: the buckets (src/http/limits/rateBuckets.ts) this route is counted in, besides `requests_per_ip` (every
   * route) and a per-credential default for its auth kind when it names no per-credential bucket.
   */
  limits?: { bodyBytes?: number; rate?: RateBucketName[] };
  /**
   * A multipart upload (one file part): text parts before the file are read first (a `publicKey` part authenticates,
   * DESIGN §8), then auth and origin are checked, and only then may the handler read the file part (`input.file`).
   * The multipart parser is registered for these routes only: everywhere else a multipart body stays 415.
   */
  multipart?: { maxFileBytes: number };
  idempotent?: IdempotencySpec<A>;
  /** Returns the answer, or nothing when it wrote the reply itself (a stream, a 304, a file). */
  // Method syntax: a list of routes with different schemas is still a list of routes.
  handler(input: RouteInput<A, z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<RouteResult | undefined>;
  /**
   * Turns the answer — the handler's, or one replayed for an Idempotency-Key — into the response; returns nothing
   * when it wrote the reply itself (a turn streamed as server-sent events).
   */
  respond?(
    input: RouteInput<A, z.infer<P>, z.infer<Q>, z.infer<B>>,
    result: RouteResult,
  ): Promise<RouteResult | undefined>;
}

/** Declares a route once: auth, origin rules, schemas, limits and errors feed the server, OpenAPI and the suites. */
export function defineRoute<
  A extends AuthKind,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(definition: RouteDefinition<A, P, Q, B>): RouteDefinition<A, P, Q, B> {
  return definition;
}

/** A route of any shape, as the registry and the document builder see it. */
export type AnyRoute = RouteDefinition;

export type { ChatSession };
