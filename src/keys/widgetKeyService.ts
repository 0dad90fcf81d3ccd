import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { KeyRateLimits, PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { knownIntentNames } from '../flows/flowService.js';
import { formCodes } from '../forms/formStore.js';
import { keyOverridableBuckets, RATE_BUCKETS, type RateBucketName } from '../http/limits/rateBuckets.js';
import { findKey, findKeyById, insertKey, listKeys, revokeKey, updateKey } from './keyStore.js';
import { normalizeOrigin } from './normalizeOrigin.js';

export interface CreateWidgetKeyInput {
  tenantId: string;
  label: string;
  widgetLabel?: string;
  origins: string[];
  /** Exactly one of `intents` (non-empty) and `allIntents` — an empty list never means everything. */
  intents?: string[];
  allIntents?: boolean;
  forms?: string[];
  allForms?: boolean;
  allowServerSide?: boolean;
  sessionTtlSeconds?: number;
  /** Per-credential rate limits of this key's callers; on update, a member set to null goes back to the default. */
  rateLimits?: RateLimitChange;
}

export type RateLimitChange = Record<string, { max: number; windowSeconds?: number } | null>;

/** Session lifetimes a key may set: a minute to 30 days. */
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A key's settings after its rules are checked: what create and update both store. */
interface KeySettings {
  label: string;
  widgetLabel: string | null;
  origins: string[];
  intents: string[];
  allIntents: boolean;
  forms: string[];
  allForms: boolean;
  allowServerSide: boolean;
  sessionTtlSeconds: number;
  rateLimits: KeyRateLimits;
}

const MAX_RATE = 1_000_000_000;
const MAX_WINDOW_SECONDS = 86_400;

const invalid = (path: string, rule: string, message: string) =>
  new AppError('invalid_request', message, { fields: [{ path, rule, message }] });

/**
 * The rules of a key, the same for create and update (DESIGN §4): exactly one of an intent allow-list and all
 * intents (an empty list never means everything), at most one of a form list and all forms (none is fine), valid
 * origins (at least one unless server-side callers are allowed), intents that have a flow and form codes that have a
 * form in the tenant (a draft is fine).
 */
async function checkKeySettings(ctx: AppContext, tenantId: string, s: KeySettings): Promise<KeySettings> {
  const intents = [...new Set(s.intents)];
  if (intents.length > 0 === s.allIntents) {
    throw invalid('intents', 'exclusive', 'give exactly one of an intent allow-list and all intents');
  }
  const forms = [...new Set(s.forms)];
  if (forms.length > 0 && s.allForms)
    throw invalid('forms', 'exclusive', 'give at most one of a form list and all forms');
  const origins: string[] = [];
  for (const raw of s.origins) {
    const origin = normalizeOrigin(raw);
    if (!origin) throw invalid('origins', 'format', `not a valid origin: "${raw}" (expected e.g. https://acme.com)`);
    if (!origins.includes(origin)) origins.push(origin);
  }
  if (origins.length === 0 && !s.allowServerSide) {
    throw invalid('origins', 'required', 'at least one allowed origin is required (or allow server-side callers)');
  }
  const label = s.label.trim();
  if (!label) throw invalid('label', 'required', 'label must not be empty');
  if (
    !Number.isInteger(s.sessionTtlSeconds) ||
    s.sessionTtlSeconds < MIN_TTL_SECONDS ||
    s.sessionTtlSeconds > MAX_TTL_SECONDS
  ) {
    throw invalid('sessionTtlSeconds', 'range', `the session lifetime must be ${MIN_TTL_SECONDS}–${MAX_TTL_SECONDS} s`);
  }
  if (intents.length > 0) {
    const known = await knownIntentNames(ctx, tenantId);
    const unknown = intents.filter((i) => !known.has(i));
    if (unknown.length > 0) {
      throw invalid('intents', 'exists', `no flow for intent(s): ${unknown.join(', ')} (import the flow first)`);
    }
  }
  if (forms.length > 0) {
    const known = await formCodes(ctx.kysely, tenantId);
    const unknown = forms.filter((f) => !known.has(f));
    if (unknown.length > 0) {
      throw invalid('forms', 'exists', `no form with code(s): ${unknown.join(', ')} (import the form first)`);
    }
  }
  return { ...s, label, intents, forms, origins };
}

/**
 * A key's rate limits after `change` (null members clear); only per-credential buckets can be told apart by key,
 * so any other name is refused with its path (422), as is a max or window out of range.
 */
function changedRateLimits(current: KeyRateLimits, change: RateLimitChange | undefined): KeyRateLimits {
  const next: KeyRateLimits = { ...current };
  for (const [name, value] of Object.entries(change ?? {})) {
    const path = `rateLimits.${name}`;
    const fail = (rule: string, message: string) =>
      new AppError('validation_failed', message, { fields: [{ path, rule, message }] });
    if (!keyOverridableBuckets.includes(name as RateBucketName)) {
      const perIp =
        name in RATE_BUCKETS && RATE_BUCKETS[name as RateBucketName].per === 'ip'
          ? ' (counted per IP, before the key is known)'
          : '';
      throw fail('exists', `"${name}" is not a per-key rate limit${perIp}: ${keyOverridableBuckets.join(', ')}`);
    }
    if (value === null) {
      delete next[name];
      continue;
    }
    if (!Number.isInteger(value.max) || value.max < 1 || value.max > MAX_RATE) {
      throw fail('range', `the max must be a whole number 1–${MAX_RATE}`);
    }
    const window = value.windowSeconds;
    if (window !== undefined && (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW_SECONDS)) {
      throw fail('range', `the window must be 1–${MAX_WINDOW_SECONDS} seconds`);
    }
    next[name] = window === undefined ? { max: value.max } : { max: value.max, windowSeconds: window };
  }
  return next;
}

export async function createWidgetKey(ctx: AppContext, input: CreateWidgetKeyInput, actor = 'cli'): Promise<PublicKey> {
  const s = await checkKeySettings(ctx, input.tenantId, {
    label: input.label,
    widgetLabel: input.widgetLabel ?? null,
    origins: input.origins,
    intents: input.intents ?? [],
    allIntents: Boolean(input.allIntents),
    forms: input.forms ?? [],
    allForms: Boolean(input.allForms),
    allowServerSide: Boolean(input.allowServerSide),
    sessionTtlSeconds: input.sessionTtlSeconds ?? 86_400,
    rateLimits: changedRateLimits({}, input.rateLimits),
  });
  const created = await ctx.kysely.transaction().execute(async (trx) => {
    const row = await insertKey(trx, {
      id: newId(),
      tenant_id: input.tenantId,
      key: `pk_live_${randomBytes(16).toString('hex')}`,
      status: 'active',
      ...columnsOf(s),
    });
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor,
      action: 'widget_key.create',
      target: row.id,
      after: auditedKey(row),
    });
    return row;
  });
  await announceKeyChange(ctx);
  return created;
}

/** What an update changes; anything left out keeps its value. Giving intents clears all-intents and vice versa. */
export type UpdateWidgetKeyInput = Partial<Omit<CreateWidgetKeyInput, 'tenantId' | 'widgetLabel'>> & {
  widgetLabel?: string | null;
};

/**
 * Changes an active key's settings under the create rules; sessions see the new scope and origins at once (every
 * process drops its cached keys). Another tenant's key, or a revoked one, is `not_found`.
 */
export async function updateWidgetKey(
  ctx: AppContext,
  tenantId: string,
  keyValue: string,
  change: UpdateWidgetKeyInput,
  actor = 'cli',
): Promise<PublicKey> {
  const current = await findKey(ctx.kysely, keyValue, tenantId);
  if (current?.status !== 'active') throw new AppError('not_found', 'no such active widget key');
  const intentsGiven = change.intents !== undefined && change.intents.length > 0;
  const formsGiven = change.forms !== undefined && change.forms.length > 0;
  const s = await checkKeySettings(ctx, tenantId, {
    label: change.label ?? current.label,
    widgetLabel: change.widgetLabel === undefined ? current.widget_label : change.widgetLabel,
    origins: change.origins ?? current.allowed_origins,
    // Giving one side of a scope replaces the other; giving both is refused by the rules, as on create.
    intents: change.allIntents && !intentsGiven ? [] : (change.intents ?? current.allowed_intents),
    allIntents: intentsGiven && !change.allIntents ? false : (change.allIntents ?? current.allows_all_intents),
    forms: change.allForms && !formsGiven ? [] : (change.forms ?? current.allowed_forms),
    allForms: formsGiven && !change.allForms ? false : (change.allForms ?? current.allows_all_forms),
    allowServerSide: change.allowServerSide ?? current.allow_server_side,
    sessionTtlSeconds: change.sessionTtlSeconds ?? current.session_ttl_seconds,
    rateLimits: changedRateLimits(current.rate_limits, change.rateLimits),
  });
  const updated = await ctx.kysely.transaction().execute(async (trx) => {
    const row = await updateKey(trx, current.id, tenantId, columnsOf(s));
    if (!row) throw new AppError('not_found', 'no such active widget key');
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'widget_key.update',
      target: row.id,
      before: auditedKey(current),
      after: auditedKey(row),
    });
    return row;
  });
  await announceKeyChange(ctx);
  return updated;
}

function columnsOf(s: KeySettings) {
  return {
    label: s.label,
    widget_label: s.widgetLabel,
    allowed_origins: json(s.origins),
    allowed_intents: json(s.intents),
    allows_all_intents: s.allIntents,
    allowed_forms: json(s.forms),
    allows_all_forms: s.allForms,
    allow_server_side: s.allowServerSide,
    session_ttl_seconds: s.sessionTtlSeconds,
    rate_limits: json(s.rateLimits),
  };
}

export async function listWidgetKeys(ctx: AppContext, tenantId?: string): Promise<PublicKey[]> {
  return listKeys(ctx.kysely, tenantId);
}

/** Revokes a key (within a tenant when given: another tenant's key looks like no key); its sessions stop at once. */
export async function revokeWidgetKey(
  ctx: AppContext,
  key: string,
  tenantId?: string,
  actor = 'cli',
): Promise<PublicKey> {
  const row = await ctx.kysely.transaction().execute(async (trx) => {
    const revoked = await revokeKey(trx, key, new Date(), tenantId);
    if (!revoked) throw new AppError('not_found', 'no such widget key');
    await recordAudit(trx, {
      tenantId: revoked.tenant_id,
      actor,
      action: 'widget_key.revoke',
      target: revoked.id,
      after: { status: revoked.status },
    });
    return revoked;
  });
  await announceKeyChange(ctx);
  return row;
}

/** What the audit log digests of a key: its settings, not its value. */
function auditedKey(key: PublicKey) {
  const { key: _value, ...settings } = key;
  return settings;
}

/** A tenant's widget key by id (another tenant's, and the test pane's, look like none). */
export async function widgetKeyById(ctx: AppContext, tenantId: string, id: string): Promise<PublicKey> {
  const row = await findKeyById(ctx.kysely, tenantId, id);
  if (!row) throw new AppError('not_found', 'no such widget key');
  return row;
}

export function keyAllowsIntent(
  key: Pick<PublicKey, 'allows_all_intents' | 'allowed_intents'>,
  intent: string,
): boolean {
  return key.allows_all_intents || key.allowed_intents.includes(intent);
}

/** Tells this process and, on PostgreSQL, every other one that key data changed. */
async function announceKeyChange(ctx: AppContext): Promise<void> {
  await ctx.events.announce('keys');
}
