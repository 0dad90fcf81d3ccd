import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Json200, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { openSession } from '../chat/openSession.js';
import type { PublicKey } from '../db/types.js';
import type { Json } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { resumeExecution } from '../executions/resumeExecution.js';
import { triggerExecution } from '../executions/triggerExecution.js';
import {
  claimRecord,
  finishStatement,
  type RecordKey,
  readRecord,
  releaseRecord,
  takeOverRecord,
} from '../idempotency/idempotencyStore.js';
import type { Receipt } from '../idempotency/Receipt.js';
import type { ChatSession } from '../sessions/ChatSession.js';
import { sessionAuth } from './auth/sessionAuth.js';
import { canonicalJson, ownedReceipt } from './idempotency.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const hashOf = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');
const newOwner = () => randomBytes(12).toString('base64url');
const DAY = 24 * 60 * 60 * 1000;

/** A request's claimed record and its receipt, as `withIdempotency` makes them (the route never finishes it here). */
async function claim(
  where: RecordKey,
  body: unknown,
  owner = newOwner(),
): Promise<{ owner: string; receipt: Receipt; where: RecordKey }> {
  const now = new Date();
  expect(
    await claimRecord(t.ctx.kysely, where, {
      bodyHash: hashOf(body),
      owner,
      now,
      expiresAt: new Date(now.getTime() + DAY),
    }),
  ).toBe(true);
  return { owner, receipt: ownedReceipt(where, owner), where };
}

async function sessionOf(token: string): Promise<ChatSession> {
  return sessionAuth(t.ctx, `Bearer ${token}`, () => {}).session();
}

async function executionsOf(conversationId: string): Promise<{ id: string; status: string }[]> {
  return t.ctx.kysely
    .selectFrom('executions')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversationId)
    .execute();
}

async function opened(): Promise<{ w: Widget; key: PublicKey; conversationId: string; session: ChatSession }> {
  const { key } = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  const res = await w.open(key.key);
  expect(res.status).toBe(201);
  return { w, key, conversationId: String(res.body.conversationId), session: await sessionOf(w.token!) };
}

const turnKey = (session: ChatSession, key: string): RecordKey => ({
  tenant_id: session.tenantId,
  caller: `session:${session.id}`,
  route: 'sendMessage',
  key,
});

function expectReplayOf(replayed: Json200, original: Record<string, unknown>) {
  expect(replayed.status).toBe(200);
  expect(replayed.headers['idempotency-replayed']).toBe('true');
  expect(replayed.body).toEqual(JSON.parse(JSON.stringify(original)));
}

describe('a crash between a turn commit and its response', () => {
  it('trigger: the service records the answer itself; the retry replays it and no second execution exists', async () => {
    const { w, conversationId, session } = await opened();
    const body = { intentName: 'order_status', text: 'hi' };
    const { receipt, where } = await claim(turnKey(session, 'crash-trigger'), body);
    // The route's own step after the handler never runs: the process "dies" once the service returned.
    const answer = await triggerExecution(t.ctx, session, body, receipt);
    expect(receipt.used).toBe(true);
    const record = await readRecord(t.ctx.kysely, where);
    expect(record).toMatchObject({ state: 'done', status_code: 200 });
    // Tokens are derived again on replay, never stored.
    expect(JSON.stringify(record!.response)).not.toContain(String(answer.waitToken));

    const retry = await w.send(body, { 'idempotency-key': 'crash-trigger' });
    expectReplayOf(retry, answer as unknown as Record<string, unknown>);
    expect(await executionsOf(conversationId)).toEqual([{ id: answer.executionId, status: 'waiting_input' }]);
    // The replayed wait token works.
    const done = await w.resume(retry, { order_number: '12345' });
    expect(done.body.status).toBe('completed');
  });

  it('resume: the retry replays the recorded answer and the wait is not answered twice', async () => {
    const { w, conversationId, session } = await opened();
    const turn = await w.trigger('order_status');
    const body = {
      waitToken: String(turn.body.waitToken),
      executionId: String(turn.body.executionId),
      values: { order_number: '12345' },
    };
    const { receipt } = await claim(turnKey(session, 'crash-resume'), body);
    const answer = await resumeExecution(
      t.ctx,
      sessionAuth(t.ctx, `Bearer ${w.token}`, () => {}),
      { executionId: body.executionId, waitToken: body.waitToken, values: body.values },
      receipt,
    );
    expect(answer.status).toBe('completed');

    const retry = await w.send(body, { 'idempotency-key': 'crash-resume' });
    expectReplayOf(retry, answer as unknown as Record<string, unknown>);
    const history = await w.get('/api/public/v1/chat/history?limit=200');
    const markdown = (history.body.items as { block?: { type: string } }[]).filter((i) => i.block?.type === 'markdown');
    expect(markdown).toHaveLength(1);
    expect(await executionsOf(conversationId)).toEqual([{ id: body.executionId, status: 'completed' }]);
  });

  it('over HTTP: a failure after the commit (500) keeps the record; the retry replays and runs nothing again', async () => {
    const { w, conversationId } = await opened();
    const body = { intentName: 'order_status', text: 'lost answer' };
    // The turn commits, then the process fails before answering.
    const created = vi.spyOn(t.ctx.events, 'created').mockImplementationOnce(() => {
      throw new Error('simulated crash after commit');
    });
    const lost = await w.send(body, { 'idempotency-key': 'crash-http' });
    expect(created).toHaveBeenCalledTimes(1);
    expect(lost.status).toBe(500);
    const [execution] = await executionsOf(conversationId);
    expect(execution).toBeDefined();

    const retry = await w.send(body, { 'idempotency-key': 'crash-http' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body.executionId).toBe(execution!.id);
    expect(retry.body.status).toBe('waiting_input');
    const poll = await w.get(`/api/public/v1/chat/executions/${execution!.id}`);
    expect(retry.body.blocks).toEqual(poll.body.blocks);
    expect(retry.body.cursor).toBe(poll.body.cursor);
    expect(retry.body.waitToken).toBe(poll.body.waitToken);
    expect(await executionsOf(conversationId)).toHaveLength(1);
  });

  it('over HTTP: the same for a resume whose answer was lost', async () => {
    const { w, conversationId } = await opened();
    const next = await w.trigger('order_status');
    const body = {
      waitToken: next.body.waitToken,
      executionId: next.body.executionId,
      values: { order_number: '12345' },
    };
    const spy = vi.spyOn(t.ctx.events, 'changed').mockImplementationOnce(() => {
      throw new Error('simulated crash after commit');
    });
    const crashed = await w.send(body, { 'idempotency-key': 'crash-http-resume' });
    expect(spy).toHaveBeenCalled();
    expect(crashed.status).toBe(500);
    const retry = await w.send(body, { 'idempotency-key': 'crash-http-resume' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ executionId: next.body.executionId, status: 'completed' });
    const poll = await w.get(`/api/public/v1/chat/executions/${next.body.executionId}`);
    expect(poll.body.status).toBe('completed');
    const markdown = (poll.body.blocks as { type: string }[]).filter((b) => b.type === 'markdown');
    expect(markdown).toHaveLength(1);
    expect(retry.body.blocks).toEqual(markdown);
    expect(await executionsOf(conversationId)).toHaveLength(1);
  });
});

describe('a replayed turn asked for as a stream', () => {
  it('streams the stored reply, as the first answer did (Accept: text/event-stream)', async () => {
    const { w, conversationId } = await opened();
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/public/v1/chat/messages',
        headers: {
          origin: ORIGIN,
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${w.token}`,
          'idempotency-key': 'sse-replay',
        },
        payload: { intentName: 'order_status', text: 'hi' },
      });
    const first = await send();
    expect(first.statusCode).toBe(200);
    expect(String(first.headers['content-type'])).toContain('text/event-stream');
    const replayed = await send();
    expect(replayed.statusCode).toBe(200);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(String(replayed.headers['content-type'])).toContain('text/event-stream');
    const events = (body: string) => body.split('\n').filter((line) => line.startsWith('event: '));
    expect(events(replayed.body)).toEqual(events(first.body));
    expect(events(first.body)).toContain('event: done');
    expect(await executionsOf(conversationId)).toHaveLength(1);
  });
});

describe('two requests with one key at once', () => {
  it('runs one turn: the other is told 409 idempotency_in_progress or replays it', async () => {
    const { w, conversationId } = await opened();
    const body = { intentName: 'order_status', text: 'twice' };
    const results = await Promise.all([
      w.send(body, { 'idempotency-key': 'together' }),
      w.send(body, { 'idempotency-key': 'together' }),
    ]);
    const executions = await executionsOf(conversationId);
    expect(executions).toHaveLength(1);
    const ran = results.filter((r) => r.status === 200 && r.headers['idempotency-replayed'] === undefined);
    expect(ran).toHaveLength(1);
    expect(ran[0]!.body.executionId).toBe(executions[0]!.id);
    const other = results.find((r) => r !== ran[0])!;
    if (other.status === 409) {
      expect((other.body.error as { code: string }).code).toBe('idempotency_in_progress');
      expect(other.headers['retry-after']).toBe('1');
    } else {
      expectReplayOf(other, ran[0]!.body);
    }
  });
});

describe('a stale in-progress record taken over by a retry', () => {
  const age = (where: RecordKey, seconds: number) =>
    sql`update idempotency_keys set created_at = created_at - make_interval(secs => ${seconds})
      where tenant_id = ${where.tenant_id}::uuid and caller = ${where.caller} and route = ${where.route}
        and key = ${where.key}`.execute(t.ctx.kysely);

  it('trigger: the retry runs, and the first request, still in flight, can no longer commit (CX412 → 409)', async () => {
    const { w, conversationId, session } = await opened();
    const body = { intentName: 'order_status', text: 'hi' };
    const first = await claim(turnKey(session, 'stale-trigger'), body);
    // Younger than 60 s: still the first request's.
    const early = await w.send(body, { 'idempotency-key': 'stale-trigger' });
    expect(early.status).toBe(409);
    expect((early.body.error as { code: string }).code).toBe('idempotency_in_progress');
    await age(first.where, 120);

    const retry = await w.send(body, { 'idempotency-key': 'stale-trigger' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBeUndefined();
    const record = await readRecord(t.ctx.kysely, first.where);
    expect(record?.owner).not.toBe(first.owner);
    expect(record?.state).toBe('done');

    // The first request's turn reaches its write only now.
    const late = triggerExecution(t.ctx, session, body, first.receipt);
    await expect(late).rejects.toBeInstanceOf(AppError);
    await expect(late).rejects.toMatchObject({ code: 'idempotency_in_progress', status: 409 });
    // Nothing of it was written: the retry's execution is the only one and was not superseded.
    expect(await executionsOf(conversationId)).toEqual([{ id: retry.body.executionId, status: 'waiting_input' }]);
    const replay = await w.send(body, { 'idempotency-key': 'stale-trigger' });
    expectReplayOf(replay, retry.body);
  });

  it('resume: a taken-over receipt leaves the wait open; the new owner resumes it', async () => {
    const { w, session } = await opened();
    const turn = await w.trigger('order_status');
    const body = {
      waitToken: String(turn.body.waitToken),
      executionId: String(turn.body.executionId),
      values: { order_number: '12345' },
    };
    const where = turnKey(session, 'stale-resume');
    const first = await claim(where, body);
    await age(where, 120);
    const seen = await readRecord(t.ctx.kysely, where);
    const second = newOwner();
    const now = new Date();
    expect(
      await takeOverRecord(
        t.ctx.kysely,
        where,
        { owner: seen!.owner, createdAt: seen!.created_at },
        { bodyHash: hashOf(body), owner: second, now, expiresAt: new Date(now.getTime() + DAY) },
      ),
    ).toBe(true);
    const caller = () => sessionAuth(t.ctx, `Bearer ${w.token}`, () => {});
    const late = resumeExecution(t.ctx, caller(), body, first.receipt);
    await expect(late).rejects.toMatchObject({ code: 'idempotency_in_progress', status: 409 });
    const poll = await w.get(`/api/public/v1/chat/executions/${body.executionId}`);
    expect(poll.body.status).toBe('waiting_input');
    expect(poll.body.waitToken).toBe(body.waitToken);

    const done = await resumeExecution(t.ctx, caller(), body, ownedReceipt(where, second));
    expect(done.status).toBe('completed');
    const replay = await w.send(body, { 'idempotency-key': 'stale-resume' });
    expectReplayOf(replay, done as unknown as Record<string, unknown>);
  });

  it('session open: a taken-over receipt rolls the open back; no session is left behind', async () => {
    const { key } = await seedTenant(t.ctx);
    const body = { publicKey: key.key, customerId: 'u-stale' };
    const where: RecordKey = {
      tenant_id: key.tenant_id,
      caller: `pk:${key.id}:customer:u-stale`,
      route: 'openSession',
      key: 'stale-open',
    };
    const first = await claim(where, body);
    await age(where, 120);
    const retry = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { origin: ORIGIN, 'content-type': 'application/json', 'idempotency-key': 'stale-open' },
      payload: body,
    });
    expect(retry.statusCode).toBe(201);
    const late = openSession(t.ctx, key, body, ORIGIN, first.receipt);
    await expect(late).rejects.toMatchObject({ code: 'idempotency_in_progress' });
    const sessions = await t.ctx.kysely
      .selectFrom('sessions')
      .select('conversation_id')
      .where('public_key_id', '=', key.id)
      .where('customer_id', '=', 'u-stale')
      .execute();
    expect(sessions).toEqual([{ conversation_id: JSON.parse(retry.body).conversationId }]);
  });
});

describe('changes to a record are conditional on its owner', () => {
  const where = (key: string, tenantId: string): RecordKey => ({
    tenant_id: tenantId,
    caller: 'session:test',
    route: 'sendMessage',
    key,
  });

  it('releaseRecord with a wrong owner deletes nothing; with the owner it deletes', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = where('release', key.tenant_id);
    const { owner } = await claim(w, { a: 1 });
    await releaseRecord(t.ctx.kysely, w, 'someone-else');
    expect(await readRecord(t.ctx.kysely, w)).toMatchObject({ owner, state: 'in_progress' });
    await releaseRecord(t.ctx.kysely, w, owner);
    expect(await readRecord(t.ctx.kysely, w)).toBeUndefined();
  });

  it('finishStatement with a wrong owner updates nothing; a finished record is neither finished again nor released', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = where('finish', key.tenant_id);
    const { owner } = await claim(w, { a: 1 });
    const wrong = await finishStatement(w, 'someone-else', 200, { x: 1 } as Json).execute(t.ctx.kysely);
    expect(Number(wrong.numAffectedRows ?? 0)).toBe(0);
    expect(await readRecord(t.ctx.kysely, w)).toMatchObject({ state: 'in_progress', response: null });
    const right = await finishStatement(w, owner, 200, { x: 2 } as Json).execute(t.ctx.kysely);
    expect(Number(right.numAffectedRows ?? 0)).toBe(1);
    const again = await finishStatement(w, owner, 201, { x: 3 } as Json).execute(t.ctx.kysely);
    expect(Number(again.numAffectedRows ?? 0)).toBe(0);
    await releaseRecord(t.ctx.kysely, w, owner);
    expect(await readRecord(t.ctx.kysely, w)).toMatchObject({ state: 'done', status_code: 200, response: { x: 2 } });
  });

  it('takeOverRecord applies only to the record as it was read: of two takers one wins', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = where('takeover', key.tenant_id);
    const { owner } = await claim(w, { a: 1 });
    const seen = await readRecord(t.ctx.kysely, w);
    const now = new Date();
    const values = (o: string) => ({
      bodyHash: hashOf({ a: 1 }),
      owner: o,
      now,
      expiresAt: new Date(now.getTime() + DAY),
    });
    expect(
      await takeOverRecord(t.ctx.kysely, w, { owner: 'not-the-owner', createdAt: seen!.created_at }, values('x')),
    ).toBe(false);
    const first = takeOverRecord(t.ctx.kysely, w, { owner, createdAt: seen!.created_at }, values('b'));
    const second = takeOverRecord(t.ctx.kysely, w, { owner, createdAt: seen!.created_at }, values('c'));
    expect((await Promise.all([first, second])).sort()).toEqual([false, true]);
    expect(['b', 'c']).toContain((await readRecord(t.ctx.kysely, w))!.owner);
  });
});
