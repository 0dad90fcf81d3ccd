import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Block } from '../engine/blocks.js';
import type { Json, JsonObject } from '../engine/types.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonCol<T = Json> = ColumnType<T, T | string, T | string>;

/** A key's own rate limits: bucket name → its max, and a window other than the bucket's. */
export type KeyRateLimits = Partial<Record<string, { max: number; windowSeconds?: number }>>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  /** How many days before a conversion its customer's conversation may have started and still get the credit. */
  attribution_window_days: Generated<number>;
  /** Days raw transcripts, events, uploads and delivery logs are kept (null: until deleted). */
  retention_days: Generated<number | null>;
  /** IANA time zone analytics buckets days, weeks and months in. */
  time_zone: Generated<string>;
  created_at: Timestamp;
}

export interface FlowsTable {
  id: string;
  tenant_id: string;
  intent_name: string;
  description: string;
  examples: JsonCol<string[]>;
  required_entities: JsonCol<string[]>;
  draft: JsonCol<JsonObject>;
  /** Null while the intent is not published (never published, or unpublished). */
  published_version_id: string | null;
  latest_version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FlowVersionsTable {
  id: string;
  tenant_id: string;
  flow_id: string;
  version: number;
  definition: JsonCol<JsonObject>;
  created_at: Timestamp;
  /** A test pane's snapshot of the draft (version 0): never published, never listed. */
  test: Generated<boolean>;
}

export interface PublicKeysTable {
  id: string;
  tenant_id: string;
  key: string;
  label: string;
  widget_label: string | null;
  allowed_origins: JsonCol<string[]>;
  allowed_intents: JsonCol<string[]>;
  allows_all_intents: boolean;
  allowed_forms: JsonCol<string[]>;
  allows_all_forms: boolean;
  allow_server_side: boolean;
  session_ttl_seconds: number;
  status: 'active' | 'revoked';
  created_at: Timestamp;
  revoked_at: Date | null;
  /** `test_pane`: the tenant's hidden key of admin test sessions (one per tenant), never listed nor given out. */
  purpose: Generated<'widget' | 'test_pane'>;
  /** Overrides of per-credential rate limits for this key's callers (migration 0020); `{}` keeps the defaults. */
  rate_limits: ColumnType<KeyRateLimits, KeyRateLimits | string | undefined, KeyRateLimits | string>;
}

/** The scopes a secret key can carry (DESIGN §14). */
export const SECRET_KEY_SCOPES = ['conversions:write', 'engine:read', 'engine:write', 'analytics:read', 'mcp'] as const;
export type SecretKeyScope = (typeof SECRET_KEY_SCOPES)[number];

export interface SecretKeysTable {
  id: string;
  tenant_id: string;
  /** SHA-256 (hex) of the whole key: the key itself is stored nowhere. */
  key_hash: string;
  /** `sk_live_` + the first 4 hex digits, to tell keys apart in lists. */
  prefix: string;
  label: string;
  scopes: JsonCol<SecretKeyScope[]>;
  status: Generated<'active' | 'revoked'>;
  created_at: Timestamp;
  revoked_at: Generated<Date | null>;
  /** Updated at most about once a minute per key. */
  last_used_at: Generated<Date | null>;
}

export interface ConversationsTable {
  id: string;
  tenant_id: string;
  public_key_id: string;
  customer_id: string;
  variables: JsonCol<JsonObject>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Revoked: no new session may continue it (its sessions were revoked too). */
  revoked_at: Generated<Date | null>;
  /** The first telemetry `pageType` of the conversation (set by the event's insert), for analytics. */
  page_type: Generated<string | null>;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  public_key_id: string;
  conversation_id: string;
  customer_id: string;
  origin: string | null;
  locale: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Timestamp;
  /** A test session (admin test pane): the draft snapshot it runs instead of the published flows. */
  test_version_id: Generated<string | null>;
}

export interface ExecutionsTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  session_id: string;
  flow_id: string;
  flow_version_id: string;
  intent_name: string;
  status: string;
  /** Optimistic-concurrency version: every state change is conditional on it. */
  version: number;
  state: JsonCol<JsonObject>;
  last_seq: number;
  /**
   * The execution's current wait (open while the status is waiting_input / waiting_time). A resume or the job of a
   * time wait consumes it: the same conditional update replaces these columns with the next wait's or clears them.
   */
  wait_id: string | null;
  wait_kind: 'input' | 'time' | null;
  wait_node_id: string | null;
  wait_fields: JsonCol<Json[]> | null;
  wait_submit_label: string | null;
  wait_expires_at: Date | null;
  /** Time waits: when a delay resumes (null for other async work). */
  wait_resume_at: Date | null;
  error: JsonCol<JsonObject> | null;
  reason: string | null;
  /** The newest TRACE_LIMIT (src/executions/traceLimit.ts) step-trace entries, oldest first. */
  trace: JsonCol<Json[]>;
  /** Run by a test session on a draft snapshot: never counted in analytics. */
  test: Generated<boolean>;
  /** Older step-trace entries not kept (the trace is capped): how many steps ran before `trace[0]`'s. */
  trace_dropped: Generated<number>;
  /** Time spent running (turns and jobs), excluding waits: what the execution timeout counts. */
  active_ms: Generated<number>;
  /** The current turn's LLM token usage (src/llm/tokenUsage.ts `TurnUsage`), or null when no LLM ran in it. */
  turn_usage: JsonCol<JsonObject> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: Date | null;
}

/** One provider call of an `llm` node (DESIGN §6). */
export interface LlmCallsTable {
  id: string;
  tenant_id: string;
  execution_id: string;
  flow_id: string;
  node_id: string;
  wait_id: string;
  /** 0: the call; 1: the repair call after an answer that did not match the node's jsonSchema. */
  attempt: number;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_micros: number;
  latency_ms: number;
  outcome: 'ok' | 'error';
  error_code: string | null;
  /** The answer's text (ok calls), reused when the same job runs again. */
  answer: string | null;
  created_at: Timestamp;
}

/** An `llm` call in flight (one per key), so a duplicate delivery waits for its answer. */
export interface LlmCallClaimsTable {
  execution_id: string;
  node_id: string;
  wait_id: string;
  attempt: number;
  claimed_until: Date;
}

/** A tenant's price for a model, over the shipped default (micro-USD per 1 M tokens). */
export interface LlmPricesTable {
  tenant_id: string;
  model: string;
  prompt_micros_per_mtok: number;
  completion_micros_per_mtok: number;
  updated_at: Timestamp;
}

/** Token spend rollup: UTC day × tenant × flow × model. */
export interface LlmSpendDailyTable {
  tenant_id: string;
  day: string;
  flow_id: string;
  model: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_micros: number;
}

/** An entry of a turn's transcript: what the user sent, or a block with its sequence number in the execution. */
export type TranscriptItem =
  | { role: 'user'; body: JsonObject }
  /** `tokenUsage`: on the last block of a turn in which an LLM ran, that turn's sum (src/llm/tokenUsage.ts). */
  | { role: 'bot'; seq: number; body: Block; tokenUsage?: JsonObject };

/** One row per turn: what the user sent and the blocks the flow answered with, in order. */
export interface ChatTurnsTable {
  id: Generated<number>;
  tenant_id: string;
  conversation_id: string;
  execution_id: string | null;
  /** The sequence numbers of the blocks this turn holds (null: none). */
  first_seq: number | null;
  last_seq: number | null;
  items: JsonCol<TranscriptItem[]>;
  /** The turn's engine time (null on rows from before it was recorded), for the median turn latency. */
  duration_ms: Generated<number | null>;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  caller: string;
  route: string;
  key: string;
  body_hash: string;
  state: 'in_progress' | 'done';
  /** The request holding the record (random per attempt); null on records from before it existed. */
  owner: string | null;
  status_code: number | null;
  response: JsonCol<Json> | null;
  created_at: Timestamp;
  expires_at: Date;
}

/** A goal reached: by an execution's `goal` node (execution_id, node_id) or by a telemetry event (event_id). */
export interface GoalHitsTable {
  id: Generated<number>;
  tenant_id: string;
  /** Null for an anonymous event (public key + anonymousId, before any session). */
  conversation_id: string | null;
  execution_id: string | null;
  /** The goal's key (a goal node's `goal`, or the defined goal's key). */
  goal: string;
  /** The defined goal with that key, when one exists. */
  goal_id: string | null;
  node_id: string | null;
  event_id: string | null;
  created_at: Timestamp;
}

export interface GoalsTable {
  id: string;
  tenant_id: string;
  /** snake_case, unique per tenant; a flow's goal node names it. */
  key: string;
  name: string;
  /** Reached by events of this type (null: only by goal nodes). */
  event_type: string | null;
  /** Equality of each property's text form (all must match). */
  property_filter: JsonCol<Record<string, string>>;
  created_at: Timestamp;
}

export interface TelemetryEventsTable {
  id: string;
  tenant_id: string;
  type: string;
  client_event_id: string | null;
  public_key_id: string;
  session_id: string | null;
  conversation_id: string | null;
  anonymous_id: string | null;
  page_type: string | null;
  properties: JsonCol<JsonObject>;
  occurred_at: Date;
  received_at: Timestamp;
}

export interface ConversionsTable {
  id: string;
  tenant_id: string;
  order_id: string;
  /** Integer minor units of `currency` (JPY 0 decimals, KWD 3, most 2). */
  amount_minor: number;
  currency: string;
  source: 'client' | 'server';
  verified: boolean;
  customer_id: string | null;
  conversation_id: string | null;
  flow_id: string | null;
  intent_name: string | null;
  event_id: string | null;
  metadata: JsonCol<JsonObject>;
  occurred_at: Date;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JobsTable {
  id: Generated<number>;
  task: string;
  payload: JsonCol<Json>;
  job_key: string | null;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  failed_at: Date | null;
  created_at: Timestamp;
}

export interface WorkerHeartbeatsTable {
  worker_id: string;
  heartbeat_at: Timestamp;
}

export interface ConnectionsTable {
  id: string;
  tenant_id: string;
  name: string;
  type: 'http' | 'openai';
  base_url: string;
  auth_type: 'none' | 'header' | 'bearer' | 'basic' | 'oauth2_client_credentials';
  /** Non-secret auth settings only (header name, username, token URL, client id, scope). */
  auth_config: JsonCol<JsonObject>;
  /**
   * `v2.` + AES-256-GCM base64url(iv | tag | ciphertext) of the secret JSON object, bound to the row's settings
   * (connectionSecret.ts); null when auth_type is none. Bare base64url is the v1 format, re-sealed at start.
   */
  secret_ciphertext: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormsTable {
  id: string;
  tenant_id: string;
  code: string;
  /** The whole form file as last imported (validated). */
  draft: JsonCol<JsonObject>;
  /** Null until the form is first published. */
  published_version_id: string | null;
  latest_version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  event_types: JsonCol<string[]>;
  /** AES-256-GCM of `{secret}` bound to tenant and endpoint (webhookSecret.ts); read back only to sign. */
  secret_ciphertext: string;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  last_success_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormVersionsTable {
  id: string;
  tenant_id: string;
  form_id: string;
  version: number;
  definition: JsonCol<JsonObject>;
  created_at: Timestamp;
}

export interface FormSubmissionsTable {
  id: string;
  tenant_id: string;
  form_id: string;
  form_version_id: string;
  public_key_id: string;
  origin: string | null;
  values: JsonCol<JsonObject>;
  metadata: JsonCol<JsonObject>;
  /** The submitter, when the embed named one (`metadata.customerId`): export and deletion find it by this. */
  customer_id: Generated<string | null>;
  created_at: Timestamp;
}

export interface UploadsTable {
  id: string;
  tenant_id: string;
  /** Form uploads: the form and the key that sent it. */
  public_key_id: string | null;
  form_id: string | null;
  /** Chat uploads: the conversation and the execution whose ask step it is for. */
  conversation_id: string | null;
  execution_id: string | null;
  field: string;
  /** The client's file name, for display only (never a storage path). */
  name: string;
  storage_name: string;
  size: number;
  content_type: string;
  sha256: string;
  submission_id: string | null;
  referenced_at: Date | null;
  created_at: Timestamp;
  expires_at: Date;
}

export interface BlobsTable {
  storage_name: string;
  tenant_id: string;
  data: Uint8Array;
  created_at: Timestamp;
}

export interface QuickQuestionsTable {
  id: string;
  tenant_id: string;
  text: string;
  intent_name: string | null;
  page_types: JsonCol<string[]>;
  position: number;
  created_at: Timestamp;
}

export interface ConfigSectionsTable {
  tenant_id: string;
  section: string;
  values: JsonCol<JsonObject>;
  public: boolean;
  updated_at: Timestamp;
}

export interface EdgeDocumentsTable {
  id: string;
  tenant_id: string;
  content_hash: string;
  document: JsonCol<JsonObject>;
  created_at: Timestamp;
}

export interface UsageCountersTable {
  tenant_id: string;
  public_key_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: ColumnType<string, string, string>;
  kind: string;
  count: number;
}

export interface WebhookEventsTable {
  id: string;
  seq: Generated<string>;
  tenant_id: string;
  type: string;
  payload: JsonCol<JsonObject>;
  created_at: Timestamp;
}

export type WebhookDeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'cancelled';

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  redelivery_of: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** A job exists (or existed) for its next attempt: set by the relay, which picks the unqueued ones. */
  queued: Generated<boolean>;
  next_attempt_at: Timestamp;
  locked_until: Date | null;
  last_response_status: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Date | null;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  tenant_id: string;
  delivery_id: string;
  endpoint_id: string;
  kind: 'attempt' | 'note';
  attempt: number;
  /** `succeeded`, `failed`, or a note's name (`webhook.disabled`). */
  outcome: string;
  scheduled_at: Date | null;
  started_at: Timestamp;
  request: JsonCol<JsonObject> | null;
  response_status: number | null;
  response_excerpt: string | null;
  latency_ms: number | null;
  error: string | null;
  next_attempt_at: Date | null;
}

/** Uploaded bytes still to be removed from the blob store (written in the transaction that dropped their upload). */
export interface BlobPurgesTable {
  tenant_id: string;
  storage_name: string;
  created_at: Timestamp;
}

/** Counts of raw rows that retention deleted: UTC day × metric × dimension (e.g. telemetry event type). */
export interface RetainedCountsTable {
  tenant_id: string;
  day: ColumnType<string, string, string>;
  metric: string;
  dimension: string;
  count: ColumnType<string, number | string, number | string>;
}

export type AdminRole = 'owner' | 'editor' | 'viewer';

/** Analytics sums per tenant × 15-minute UTC bucket × metric × dimensions ('' when none); see 0021_analytics. */
export interface AnalyticsRollupsTable {
  tenant_id: string;
  bucket: Date;
  metric: string;
  flow_id: string;
  public_key_id: string;
  page_type: string;
  model: string;
  status: string;
  currency: string;
  measure: number;
  value: number;
}

/** What changed since the rollups were computed: a bucket, a conversation, or neither (the whole tenant). */
export interface AnalyticsDirtyTable {
  id: Generated<number>;
  tenant_id: string;
  bucket: Date | null;
  conversation_id: string | null;
}

export interface AdminUsersTable {
  id: string;
  tenant_id: string;
  /** Lower-cased; unique across tenants (the login form asks for no tenant). */
  email: string;
  role: AdminRole;
  /** scrypt (src/admin/passwordHash.ts): the password itself is stored nowhere. */
  password_hash: string;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdminSessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** SHA-256 (hex) of the cookie's value. */
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string;
  actor: string;
  action: string;
  target: string;
  before_digest: string | null;
  after_digest: string | null;
  created_at: Timestamp;
}

export interface ReportsTable {
  id: string;
  tenant_id: string;
  name: string;
  /** An analytics query definition (src/wire/analyticsSchemas.ts), validated on the way in. */
  definition: JsonCol<Json>;
  /** Place on the dashboard (0-based), or null when not pinned. */
  pin_position: number | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A recurring run: a report's schedule (tenant_id, report_id) or a system task (name). */
export interface SchedulesTable {
  id: string;
  tenant_id: string | null;
  report_id: string | null;
  name: string | null;
  /** The job task each run enqueues. */
  task: string;
  payload: JsonCol<Json>;
  cron: string;
  /** IANA name the cron expression is read in. */
  time_zone: string;
  enabled: boolean;
  next_run_at: Timestamp;
  last_run_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ReportRunTrigger = 'manual' | 'schedule' | 'cli';

export interface ReportRunsTable {
  id: string;
  tenant_id: string;
  report_id: string;
  trigger: ReportRunTrigger;
  scheduled_for: Date | null;
  status: 'completed' | 'failed';
  /** The definition as it was run (the report may change later). */
  definition: JsonCol<Json>;
  result: JsonCol<Json> | null;
  row_count: Generated<number>;
  error: string | null;
  started_at: Date;
  completed_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  public_keys: PublicKeysTable;
  secret_keys: SecretKeysTable;
  conversations: ConversationsTable;
  sessions: SessionsTable;
  executions: ExecutionsTable;
  chat_turns: ChatTurnsTable;
  idempotency_keys: IdempotencyKeysTable;
  goal_hits: GoalHitsTable;
  goals: GoalsTable;
  telemetry_events: TelemetryEventsTable;
  conversions: ConversionsTable;
  jobs: JobsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  connections: ConnectionsTable;
  forms: FormsTable;
  form_versions: FormVersionsTable;
  form_submissions: FormSubmissionsTable;
  uploads: UploadsTable;
  blobs: BlobsTable;
  quick_questions: QuickQuestionsTable;
  config_sections: ConfigSectionsTable;
  edge_documents: EdgeDocumentsTable;
  usage_counters: UsageCountersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  llm_calls: LlmCallsTable;
  llm_call_claims: LlmCallClaimsTable;
  llm_prices: LlmPricesTable;
  llm_spend_daily: LlmSpendDailyTable;
  blob_purges: BlobPurgesTable;
  retained_counts: RetainedCountsTable;
  analytics_rollups: AnalyticsRollupsTable;
  analytics_dirty: AnalyticsDirtyTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  audit_log: AuditLogTable;
  reports: ReportsTable;
  schedules: SchedulesTable;
  report_runs: ReportRunsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type AdminUser = Selectable<AdminUsersTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Flow = Selectable<FlowsTable>;
export type FlowVersion = Selectable<FlowVersionsTable>;
export type PublicKey = Selectable<PublicKeysTable>;
export type NewPublicKey = Insertable<PublicKeysTable>;
export type SecretKey = Selectable<SecretKeysTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Session = Selectable<SessionsTable>;
export type Execution = Selectable<ExecutionsTable>;
export type ExecutionUpdate = Updateable<ExecutionsTable>;
export type Goal = Selectable<GoalsTable>;
export type Conversion = Selectable<ConversionsTable>;
export type Form = Selectable<FormsTable>;
export type FormVersion = Selectable<FormVersionsTable>;
export type Upload = Selectable<UploadsTable>;
export type QuickQuestion = Selectable<QuickQuestionsTable>;
export type ConfigSection = Selectable<ConfigSectionsTable>;
