import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { knownIntentNames } from '../flows/flowService.js';
import { insertKey, listKeys, revokeKey } from './keyStore.js';
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
}

export async function createWidgetKey(ctx: AppContext, input: CreateWidgetKeyInput): Promise<PublicKey> {
  const intents = [...new Set(input.intents ?? [])];
  if (intents.length > 0 === Boolean(input.allIntents)) {
    throw new AppError('invalid_request', 'give exactly one of --intent (repeatable) and --all-intents');
  }
  if ((input.forms?.length ?? 0) > 0 && input.allForms) {
    throw new AppError('invalid_request', 'give at most one of --form and --all-forms');
  }
  const origins: string[] = [];
  for (const raw of input.origins) {
    const origin = normalizeOrigin(raw);
    if (!origin) throw new AppError('invalid_request', `not a valid origin: "${raw}" (expected e.g. https://acme.com)`);
    if (!origins.includes(origin)) origins.push(origin);
  }
  if (origins.length === 0 && !input.allowServerSide) {
    throw new AppError('invalid_request', 'at least one --origin is required (or --allow-server-side)');
  }
  if (!input.label.trim()) throw new AppError('invalid_request', 'label must not be empty');
  if (intents.length > 0) {
    const known = await knownIntentNames(ctx, input.tenantId);
    const unknown = intents.filter((i) => !known.has(i));
    if (unknown.length > 0) {
      throw new AppError('invalid_request', `no flow for intent(s): ${unknown.join(', ')} (import the flow first)`);
    }
  }
  const created = await insertKey(ctx.kysely, {
    id: newId(),
    tenant_id: input.tenantId,
    key: `pk_live_${randomBytes(16).toString('hex')}`,
    label: input.label.trim(),
    widget_label: input.widgetLabel ?? null,
    allowed_origins: json(origins),
    allowed_intents: json(intents),
    allows_all_intents: Boolean(input.allIntents),
    allowed_forms: json(input.forms ?? []),
    allows_all_forms: Boolean(input.allForms),
    allow_server_side: Boolean(input.allowServerSide),
    session_ttl_seconds: input.sessionTtlSeconds ?? 86_400,
    status: 'active',
  });
  await announceKeyChange(ctx);
  return created;
}

export async function listWidgetKeys(ctx: AppContext, tenantId?: string): Promise<PublicKey[]> {
  return listKeys(ctx.kysely, tenantId);
}

/** Revokes a key (within a tenant when given: another tenant's key looks like no key); its sessions stop at once. */
export async function revokeWidgetKey(ctx: AppContext, key: string, tenantId?: string): Promise<PublicKey> {
  const row = await revokeKey(ctx.kysely, key, new Date(), tenantId);
  if (!row) throw new AppError('not_found', 'no such widget key');
  await announceKeyChange(ctx);
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
