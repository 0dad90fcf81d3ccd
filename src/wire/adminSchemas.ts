import { z } from 'zod';

// Wire schemas of the admin API (DESIGN §16): the admin panel's session cookie. Timestamps are RFC 3339 UTC.

export const adminRole = z.enum(['owner', 'editor', 'viewer']);

/** Not a UUID → the same 404 as an unknown id. */
export const adminIdParams = z.object({
  id: z
    .string()
    .transform((id) => id.toLowerCase())
    .pipe(z.uuid())
    .catch('00000000-0000-0000-0000-000000000000'),
});

export const adminVersionParams = adminIdParams.extend({
  version: z.coerce.number().int().min(1).max(2_147_483_647).describe('A version number of the flow.'),
});

export const adminUser = z.object({ id: z.uuid(), email: z.string(), role: adminRole, createdAt: z.string() });

export const loginBody = z.object({
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(1024),
});

export const loginAnswer = z.object({
  user: adminUser,
  tenantId: z.uuid(),
  csrfToken: z.string().describe('Send it as the X-CSRF-Token header with every request but GET.'),
  expiresAt: z.string(),
});

export const createAdminUserBody = z.object({
  email: z.string().min(3).max(320),
  role: adminRole,
  password: z.string().min(12).max(1024),
});

export const changeRoleBody = z.object({ role: adminRole });

export const adminUserList = z.object({ users: z.array(adminUser) });

export const auditQuery = z.object({
  before: z.coerce.number().int().min(1).optional().describe('An entry id: only older entries (the next page).'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 1–200 (default 50).'),
  action: z.string().max(100).optional(),
  target: z.string().max(100).optional(),
});

export const auditEntry = z.object({
  id: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  beforeDigest: z.string().nullable().describe('SHA-256 of the canonical JSON before the change; null: none.'),
  afterDigest: z.string().nullable(),
  createdAt: z.string(),
});

export const auditList = z.object({ entries: z.array(auditEntry), nextBefore: z.number().nullable() });

/** A flow file (DESIGN §5.1), checked by the flow validator rather than here, so every problem is reported. */
export const flowDefinitionBody = z
  .record(z.string(), z.unknown())
  .describe('A flow definition, as `comerix flow:import` takes it (DESIGN §5.1).');

export const flowSummary = z.object({
  id: z.uuid(),
  intentName: z.string(),
  description: z.string(),
  publishedVersion: z.number().nullable(),
  latestVersion: z.number(),
  updatedAt: z.string(),
});

export const flowList = z.object({ flows: z.array(flowSummary) });

export const flowDetail = flowSummary.extend({ draft: z.record(z.string(), z.unknown()) });

export const flowProblems = z.object({
  valid: z.boolean(),
  problems: z.array(z.object({ nodeId: z.string().optional(), path: z.string(), message: z.string() })),
});

export const validateFlowBody = z
  .object({ definition: flowDefinitionBody.optional() })
  .describe('A definition to check; without one, the saved draft is checked.');

export const flowVersion = z.object({
  id: z.uuid(),
  version: z.number(),
  published: z.boolean(),
  createdAt: z.string(),
  definition: z.record(z.string(), z.unknown()).optional(),
});

export const flowVersionList = z.object({ versions: z.array(flowVersion) });

export const diffQuery = z.object({
  from: z.coerce.number().int().min(1),
  to: z
    .union([z.literal('draft'), z.coerce.number().int().min(1)])
    .describe('A version number, or `draft` for the unpublished edits.'),
});

export const flowDiff = z.object({
  from: z.number(),
  to: z.union([z.number(), z.literal('draft')]),
  nodes: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }),
  edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
  intentChanged: z.boolean(),
  startChanged: z.boolean(),
});

export const rollbackBody = z.object({ version: z.number().int().min(1) });

export const testSessionAnswer = z.object({
  sessionToken: z.string().describe('Use it as Authorization: Bearer on the public chat endpoints, from the panel.'),
  conversationId: z.uuid(),
  expiresAt: z.string(),
  testVersionId: z.uuid().describe('The draft snapshot the session runs: never published, never listed.'),
  intents: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      examples: z.array(z.string()),
      required_entities: z.array(z.string()),
    }),
  ),
});

const isoTime = z.iso.datetime({ offset: true });

export const historyQuery = z.object({
  customerId: z.string().min(1).max(200).optional(),
  intent: z.string().min(1).max(100).optional().describe('Conversations with an execution of this intent.'),
  status: z
    .enum(['running', 'waiting_input', 'waiting_time', 'completed', 'failed', 'aborted'])
    .optional()
    .describe('Conversations with an execution in this status.'),
  from: isoTime.optional().describe('Started at or after (RFC 3339).'),
  to: isoTime.optional().describe('Started before (RFC 3339).'),
  includeTest: z.enum(['true', 'false']).optional().describe('Include the test pane’s conversations (default false).'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const historyList = z.object({
  items: z.array(
    z.object({
      conversationId: z.uuid(),
      customerId: z.string(),
      widgetKeyId: z.uuid(),
      test: z.boolean(),
      executions: z.number(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const keyRateLimit = z.object({
  max: z.number().int().describe('Requests allowed per window'),
  windowSeconds: z.number().int().optional().describe("The window; left out: the bucket's own"),
});

const keyRateLimitsDoc =
  "This key's own per-credential rate limits, by bucket name (docs/operations.md, Rate limits and caps); a name that is not a per-credential bucket → 422.";

export const widgetKeyBody = z.object({
  label: z.string().min(1).max(200),
  widgetLabel: z.string().min(1).max(200).optional(),
  origins: z.array(z.string().max(255)).max(100),
  intents: z.array(z.string().max(100)).max(500).optional(),
  allIntents: z.boolean().optional(),
  forms: z.array(z.string().max(100)).max(500).optional(),
  allForms: z.boolean().optional(),
  allowServerSide: z.boolean().optional(),
  sessionTtlSeconds: z.number().int().optional(),
  rateLimits: z.record(z.string().max(64), keyRateLimit).optional().describe(keyRateLimitsDoc),
});

export const widgetKeyChange = widgetKeyBody.partial().extend({
  widgetLabel: z.string().min(1).max(200).nullable().optional(),
  rateLimits: z
    .record(z.string().max(64), keyRateLimit.nullable())
    .optional()
    .describe(`${keyRateLimitsDoc} Names left out keep their value; null goes back to the default.`),
});

export const widgetKey = z.object({
  id: z.uuid(),
  key: z.string().describe('The public key (pk_live_…): it is published in the widget, not a secret.'),
  label: z.string(),
  widgetLabel: z.string().nullable(),
  origins: z.array(z.string()),
  intents: z.array(z.string()),
  allIntents: z.boolean(),
  forms: z.array(z.string()),
  allForms: z.boolean(),
  allowServerSide: z.boolean(),
  sessionTtlSeconds: z.number(),
  rateLimits: z.record(z.string(), keyRateLimit).describe("This key's own rate limits (empty: the defaults)"),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const widgetKeyList = z.object({ keys: z.array(widgetKey) });

export const connectionNameParams = z.object({ name: z.string().min(1).max(64) });

const connectionSettings = {
  type: z.enum(['http', 'openai']).optional(),
  baseUrl: z.string().min(1).max(2048),
  authType: z.enum(['none', 'header', 'bearer', 'basic', 'oauth2_client_credentials']).optional(),
  secret: z
    .string()
    .min(1)
    .max(8192)
    .optional()
    .describe('Write-only: the header value, token, password or client secret. Never returned.'),
  headerName: z.string().max(200).optional(),
  username: z.string().max(200).optional(),
  tokenUrl: z.string().max(2048).optional(),
  clientId: z.string().max(500).optional(),
  scope: z.string().max(1000).optional(),
  clientAuth: z.enum(['basic', 'post']).optional(),
  defaultModel: z.string().max(200).optional(),
};

export const createConnectionBody = z.object({ name: z.string().min(1).max(64), ...connectionSettings });

export const updateConnectionBody = z.object({ ...connectionSettings, baseUrl: connectionSettings.baseUrl.optional() });

export const connectionView = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.string(),
  baseUrl: z.string(),
  authType: z.string(),
  authConfig: z.record(z.string(), z.unknown()),
  hasSecret: z.boolean().describe('Whether a secret is stored; the secret itself is never returned.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const connectionList = z.object({ connections: z.array(connectionView) });

export const connectionTestBody = z.object({ path: z.string().max(2048).optional() });

export const connectionTestAnswer = z.object({
  ok: z.boolean(),
  status: z.number().optional(),
  latencyMs: z.number(),
  error: z.object({ code: z.string(), message: z.string(), bodyExcerpt: z.string().optional() }).optional(),
});

export const revokeAnswer = z.object({ revokedSessions: z.number() });

export const secretKeyView = z.object({
  id: z.uuid(),
  prefix: z.string().describe('sk_live_ and the first hex digits, to tell keys apart; the key itself is not stored.'),
  label: z.string(),
  scopes: z.array(z.string()),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const secretKeyList = z.object({ keys: z.array(secretKeyView) });

export const createSecretKeyBody = z.object({
  label: z.string().min(1).max(200),
  scopes: z.array(z.enum(['conversions:write', 'engine:read', 'engine:write', 'analytics:read', 'mcp'])).min(1),
});

export const createdSecretKey = secretKeyView.extend({
  key: z.string().describe('The secret key (sk_live_…): shown only in this answer.'),
});

export const webhookEndpointView = z.object({
  id: z.uuid(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  createdAt: z.string(),
});

export const webhookEndpointList = z.object({ endpoints: z.array(webhookEndpointView) });

export const createWebhookBody = z.object({
  url: z.string().min(1).max(2048),
  eventTypes: z.array(z.string().max(100)).min(1).max(50),
  description: z.string().max(500).optional(),
});

export const createdWebhook = webhookEndpointView.extend({
  secret: z.string().describe('The signing secret (whsec_…): shown only in this answer.'),
});

export const deliveriesQuery = z.object({
  endpointId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const redeliveryAnswer = z.object({ deliveryId: z.uuid() });

export const deliveryList = z.object({ deliveries: z.array(z.record(z.string(), z.unknown())) });

export const modelPrice = z.object({
  model: z.string(),
  promptMicrosPerMTok: z.number().int(),
  completionMicrosPerMTok: z.number().int(),
  source: z.string(),
});

export const modelPriceList = z.object({ prices: z.array(modelPrice) });

/** USD per 1 M tokens as decimal text (`"2.5"`), as `comerix pricing:set` takes them. */
export const setPriceBody = z.object({
  model: z.string().min(1).max(200),
  prompt: z.string().max(20),
  completion: z.string().max(20),
});

export const retentionBody = z.object({
  retentionDays: z.number().int().min(1).max(36_500).nullable().describe('Days raw data is kept; null: until deleted.'),
});

export const retentionAnswer = retentionBody;

export const quickQuestionView = z.object({
  id: z.uuid(),
  text: z.string(),
  intentName: z.string().nullable(),
  pageTypes: z.array(z.string()),
  position: z.number().int(),
  createdAt: z.string(),
});

export const quickQuestionList = z.object({ quickQuestions: z.array(quickQuestionView) });

export const addQuickQuestionBody = z.object({
  text: z.string().min(1).max(500),
  intentName: z.string().max(64).optional(),
  pageTypes: z.array(z.string().max(64)).max(50).optional().describe('Absent or empty: every page.'),
  position: z.number().int().optional(),
});

export const configSectionView = z.object({
  section: z.string(),
  values: z.record(z.string(), z.unknown()),
  isPublic: z.boolean(),
  updatedAt: z.string(),
});

export const configSectionList = z.object({ sections: z.array(configSectionView) });

export const sectionParams = z.object({ section: z.string().min(1).max(64) });

export const setConfigSectionBody = z.object({
  values: z.record(z.string(), z.unknown()),
  isPublic: z.boolean().describe('Whether widgets may read the section.'),
});

export const widgetSettingsPublished = z.object({
  contentHash: z.string(),
  builtAt: z.string(),
  changed: z
    .array(z.enum(['quickQuestions', 'config', 'forms']))
    .describe('The parts that differ from the document published before (all of them at the first publish).'),
});

export const widgetSettingsPending = z.object({
  published: z
    .object({ contentHash: z.string(), builtAt: z.string() })
    .nullable()
    .describe('The document widgets read now; null: nothing published yet (reads answer from the live rows).'),
  changed: z
    .array(z.enum(['quickQuestions', 'config', 'forms']))
    .describe('The parts a publish would change now (all of them before the first publish).'),
});

export const formSummary = z.object({
  id: z.uuid(),
  code: z.string(),
  publishedVersionId: z.string().nullable(),
  latestVersion: z.number().int(),
  updatedAt: z.string(),
});

export const formList = z.object({ forms: z.array(formSummary) });

export const formDetail = formSummary.extend({
  draft: z.record(z.string(), z.unknown()),
  published: z
    .object({ id: z.string(), version: z.number().int(), definition: z.record(z.string(), z.unknown()) })
    .nullable(),
});

/** A form file ([format](widget-settings.md)); checked by the form service, which names every problem. */
export const formDefinitionBody = z.record(z.string(), z.unknown());

export const formPublished = formSummary.extend({ version: z.number().int() });

export const submissionsQuery = z.object({
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page.'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('1–200, default 50.'),
});

export const submissionList = z.object({
  submissions: z.array(
    z.object({
      id: z.uuid(),
      formVersionId: z.string(),
      publicKeyId: z.string(),
      origin: z.string().nullable(),
      values: z.record(z.string(), z.unknown()).describe('As submitted: data, never markup to render.'),
      metadata: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
