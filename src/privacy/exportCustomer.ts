import type { AppContext } from '../app/AppContext.js';
import { formatMinorUnits } from '../conversions/money.js';
import type { ExecutionState, JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import type { CustomerExport } from '../wire/engineSchemas.js';
import { customerFootprint, isEmptyFootprint } from './customerFootprint.js';

type ExecutionStatus = CustomerExport['conversations'][number]['executions'][number]['status'];

/**
 * Everything held about a customer (DESIGN §12), as one JSON document: their conversations with transcripts,
 * variables and executions, sessions, form submissions and uploads' metadata, telemetry events, goal hits and
 * conversions. Every read is scoped by the tenant; a customer of whom nothing is held → 404 `not_found`.
 */
export async function exportCustomer(ctx: AppContext, tenantId: string, customerId: string): Promise<CustomerExport> {
  const db = ctx.kysely;
  const f = await customerFootprint(db, tenantId, customerId);
  if (isEmptyFootprint(f)) throw new AppError('not_found', 'No data is held about this customer.');
  const conversationIds = orNil(f.conversationIds);
  const sessionIds = orNil(f.sessionIds);
  const submissionIds = orNil(f.submissionIds);

  const conversations = await db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', conversationIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const turns = await db
    .selectFrom('chat_turns')
    .select(['conversation_id', 'execution_id', 'items', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', 'in', conversationIds)
    .orderBy('id')
    .execute();
  const executions = await db
    .selectFrom('executions')
    .select(['id', 'conversation_id', 'session_id', 'intent_name', 'status', 'state', 'error', 'reason'])
    .select(['created_at', 'ended_at'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', 'in', conversationIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const sessions = await db
    .selectFrom('sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', sessionIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const submissions = await db
    .selectFrom('form_submissions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', submissionIds)
    .orderBy('created_at')
    .execute();
  const uploads = await db
    .selectFrom('uploads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('conversation_id', 'in', conversationIds), eb('submission_id', 'in', submissionIds)]))
    .orderBy('created_at')
    .execute();
  const events = await db
    .selectFrom('telemetry_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('session_id', 'in', sessionIds), eb('conversation_id', 'in', conversationIds)]))
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  const goalHits = await db
    .selectFrom('goal_hits')
    .select(['goal', 'conversation_id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', 'in', conversationIds)
    .orderBy('id')
    .execute();
  const conversions = await db
    .selectFrom('conversions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('conversation_id', 'in', conversationIds)]))
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();

  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    customerId,
    exportedAt: new Date().toISOString(),
    conversations: conversations.map((c) => ({
      conversationId: c.id,
      publicKeyId: c.public_key_id,
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
      revokedAt: iso(c.revoked_at),
      variables: { untrusted: true as const, values: c.variables },
      transcript: turns
        .filter((t) => t.conversation_id === c.id)
        .map((t) => ({
          executionId: t.execution_id,
          createdAt: t.created_at.toISOString(),
          items: t.items as unknown as JsonObject[],
        })),
      executions: executions
        .filter((e) => e.conversation_id === c.id)
        .map((e) => ({
          executionId: e.id,
          sessionId: e.session_id,
          intentName: e.intent_name,
          status: e.status as ExecutionStatus,
          variables: { untrusted: true as const, values: (e.state as unknown as ExecutionState).vars ?? {} },
          error: e.error,
          reason: e.reason,
          createdAt: e.created_at.toISOString(),
          endedAt: iso(e.ended_at),
        })),
    })),
    sessions: sessions.map((s) => ({
      sessionId: s.id,
      conversationId: s.conversation_id,
      publicKeyId: s.public_key_id,
      origin: s.origin,
      locale: s.locale,
      createdAt: s.created_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
      revokedAt: iso(s.revoked_at),
    })),
    formSubmissions: submissions.map((s) => ({
      submissionId: s.id,
      formId: s.form_id,
      values: s.values,
      metadata: s.metadata,
      origin: s.origin,
      createdAt: s.created_at.toISOString(),
    })),
    uploads: uploads.map((u) => ({
      uploadId: u.id,
      conversationId: u.conversation_id,
      submissionId: u.submission_id,
      field: u.field,
      name: u.name,
      size: u.size,
      contentType: u.content_type,
      sha256: u.sha256,
      createdAt: u.created_at.toISOString(),
    })),
    events: events.map((e) => ({
      eventId: e.id,
      type: e.type,
      conversationId: e.conversation_id,
      sessionId: e.session_id,
      pageType: e.page_type,
      properties: e.properties,
      occurredAt: e.occurred_at.toISOString(),
      receivedAt: e.received_at.toISOString(),
    })),
    goalHits: goalHits.map((g) => ({
      goal: g.goal,
      conversationId: g.conversation_id,
      createdAt: g.created_at.toISOString(),
    })),
    conversions: conversions.map((c) => ({
      conversionId: c.id,
      orderId: c.order_id,
      amount: formatMinorUnits(Number(c.amount_minor), c.currency),
      currency: c.currency,
      source: c.source,
      verified: c.verified,
      conversationId: c.conversation_id,
      metadata: c.metadata,
      occurredAt: c.occurred_at.toISOString(),
    })),
  };
}

/** `in ()` is not SQL: an empty list becomes the nil uuid, which no row has. */
function orNil(ids: string[]): string[] {
  return ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000'];
}
