// The stable error codes of DESIGN §12: status and whether a client should retry. Codes never change meaning.
export const errorCatalog = {
  invalid_request: {
    status: 400,
    retryable: false,
    doc: 'The request is malformed (bad JSON, wrong types, missing fields). Fix the request; do not retry as is.',
  },
  invalid_public_key: {
    status: 401,
    retryable: false,
    doc: 'The public widget key is unknown or revoked. Abort; get a valid key from the tenant admin.',
  },
  invalid_session_token: {
    status: 401,
    retryable: false,
    doc: 'The session token is missing, tampered with, or not ours. Open a new session.',
  },
  session_expired: {
    status: 401,
    retryable: false,
    doc: 'The session expired or was revoked. Open a new session (pass conversationId + conversationToken to keep the conversation).',
  },
  invalid_secret_key: {
    status: 401,
    retryable: false,
    doc: 'The secret key (Authorization: Bearer sk_live_…) is missing, unknown or revoked. Abort.',
  },
  unauthenticated: {
    status: 401,
    retryable: false,
    doc: 'Admin API: no admin session, or it expired or was revoked (or the email and password do not match). Log in again.',
  },
  origin_not_allowed: {
    status: 403,
    retryable: false,
    doc: "The request's Origin is not in the key's allowedOrigins (or a server-side request without Origin to a key that does not allow it). Abort.",
  },
  intent_not_allowed: {
    status: 403,
    retryable: false,
    doc: "The intent is outside the widget key's scope. Abort; use one of session.intents.",
  },
  form_not_allowed: { status: 403, retryable: false, doc: "The form is outside the key's form scope. Abort." },
  forbidden: {
    status: 403,
    retryable: false,
    doc: "The credential lacks the required scope (a secret key), or the admin user's role may not do this. Abort.",
  },
  csrf_failed: {
    status: 403,
    retryable: false,
    doc: 'Admin API: a change without the X-CSRF-Token header of its session (from the login answer or GET /api/admin/v1/me). Send it.',
  },
  intent_not_matched: {
    status: 404,
    retryable: false,
    doc: 'No published flow exists for this intent (it may have been unpublished). Abort; refresh the intents list by opening a new session.',
  },
  execution_not_found: {
    status: 404,
    retryable: false,
    doc: "No such execution in this session's conversation. Abort.",
  },
  form_not_found: { status: 404, retryable: false, doc: 'No such published form. Abort.' },
  config_section_not_found: { status: 404, retryable: false, doc: 'No such public config section. Abort.' },
  not_found: { status: 404, retryable: false, doc: 'The resource does not exist (or belongs to someone else). Abort.' },
  wait_token_invalid: {
    status: 409,
    retryable: false,
    doc: 'The wait token was already used or does not belong to this wait. Do not retry; poll the execution for its current state.',
  },
  execution_not_waiting: {
    status: 409,
    retryable: false,
    doc: 'The execution is not waiting for input (it ended or was aborted). Poll it for its state.',
  },
  conversation_busy: {
    status: 409,
    retryable: true,
    doc: 'Another execution of this conversation is working (or other turns of it kept changing it). Retry after Retry-After seconds, or trigger with "supersede": true.',
  },
  idempotency_in_progress: {
    status: 409,
    retryable: true,
    doc: 'A request with this Idempotency-Key is still being processed. Retry shortly with the same key.',
  },
  method_not_allowed: {
    status: 405,
    retryable: false,
    doc: 'MCP API: a GET of /api/mcp asks for a server-initiated event stream, which the stateless server does not keep. POST JSON-RPC messages instead.',
  },
  payload_too_large: { status: 413, retryable: false, doc: 'The body (or file) is larger than allowed. Send less.' },
  headers_too_large: {
    status: 431,
    retryable: false,
    doc: 'The request headers or URL (e.g. thousands of query parameters) are larger than allowed. Send less.',
  },
  unsupported_media_type: {
    status: 415,
    retryable: false,
    doc: 'The content type is not accepted. Send JSON (or an accepted file type).',
  },
  validation_failed: {
    status: 422,
    retryable: false,
    doc: 'Values or variables break a rule; details.fields lists each path, rule and message. Fix and resend; a waiting execution keeps waiting.',
  },
  idempotency_key_reused: {
    status: 422,
    retryable: false,
    doc: 'The Idempotency-Key was used with a different body. Use a new key for a new request.',
  },
  rate_limited: { status: 429, retryable: true, doc: 'Too many requests. Retry after Retry-After seconds.' },
  internal_error: {
    status: 500,
    retryable: true,
    doc: 'An unexpected error on our side. Retry with backoff (with the same Idempotency-Key for POSTs).',
  },
  unavailable: {
    status: 503,
    retryable: true,
    doc: 'The service is temporarily unavailable (database down, overloaded). Retry with backoff.',
  },
} as const;

export type ErrorCode = keyof typeof errorCatalog;
export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

// Codes found in a failed execution's `error.code` or an aborted one's `reason`: states, not HTTP statuses.
export const executionErrorCatalog = {
  step_limit_exceeded: 'The flow ran more than 1,000 steps in one turn without waiting (a loop). Failed.',
  expression_error:
    'An expression or template in the flow could not be evaluated (or ran over its time budget). Failed.',
  http_error: 'An http node failed after its retries. Failed.',
  llm_error: 'The LLM provider failed. Failed.',
  llm_invalid_output: "The LLM's output did not match the node's JSON schema. Failed.",
  llm_budget_exceeded: "The tenant's daily LLM budget is spent. Failed.",
  timeout: 'The execution ran longer than its timeout (waiting time excluded). Failed.',
  subflow_not_found: 'A subflow node names an intent that has no published flow. Failed.',
  task_error: "A task node's handler is not registered, or failed after its retries. Failed.",
} as const;

export const abortReasonCatalog = {
  superseded: 'A new trigger in the same conversation replaced this execution.',
  wait_expired: 'Nobody answered the input wait before it expired (default 24 h).',
  aborted_by_api: 'A server-side caller aborted it (POST /api/engine/v1/executions/{id}/abort, scope engine:write).',
  user_declined: 'An example reason given by an `end` node; flows may give their own reasons.',
} as const;
