import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { multipartBody, PDF, PNG } from '../../test/support/multipart.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';

const claimFlow = {
  intent: { name: 'claim', description: 'File a damage claim', examples: [], required_entities: [] },
  start: 'photo',
  nodes: [
    {
      id: 'photo',
      type: 'ask',
      text: 'Send a photo of the damage.',
      fields: [
        { name: 'photo', type: 'file', label: 'Photo', required: true, accept: ['image/*'], maxSizeBytes: 4096 },
        { name: 'note', type: 'text', label: 'Note' },
      ],
    },
    { id: 'done', type: 'end' },
  ],
  edges: [{ from: 'photo', to: 'done' }],
};

let t: TestApp;
let publicKey: string;
beforeAll(async () => {
  t = await createTestApp();
  const seeded = await seedTenant(t.ctx, { flows: [claimFlow], key: { intents: ['claim'] } });
  publicKey = seeded.key.key;
});
afterAll(async () => {
  await t?.close();
});

async function waitingClaim(): Promise<{ w: Widget; executionId: string; waitToken: string }> {
  const w = new Widget(t.app);
  expect((await w.open(publicKey)).status).toBe(201);
  const turn = await w.trigger('claim');
  expect(turn.body.status).toBe('waiting_input');
  return { w, executionId: String(turn.body.executionId), waitToken: String(turn.body.waitToken) };
}

function upload(w: Widget, query: string, file: { filename: string; type: string; bytes: Buffer }) {
  const body = multipartBody({ file: { name: 'upload', ...file } });
  return t.app.inject({
    method: 'POST',
    url: `/api/public/v1/chat/uploads${query}`,
    headers: { origin: ORIGIN, authorization: `Bearer ${w.token}`, ...body.headers },
    payload: body.payload,
  });
}

describe('POST /chat/uploads', () => {
  it('stores a file for the waiting ask step; the resume takes its ref, only from this conversation', async () => {
    const a = await waitingClaim();
    const res = await upload(a.w, `?executionId=${a.executionId}&field=photo`, {
      filename: 'dent.png',
      type: 'image/png',
      bytes: PNG,
    });
    expect(res.statusCode).toBe(201);
    const ref = res.json().fileRef;
    expect(ref).toMatchObject({ name: 'dent.png', contentType: 'image/png', size: PNG.length });

    // Another conversation cannot resume with it.
    const b = await waitingClaim();
    const foreign = await b.w.send({ waitToken: b.waitToken, executionId: b.executionId, values: { photo: ref.id } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error).toMatchObject({
      code: 'validation_failed',
      details: { fields: [expect.objectContaining({ path: 'values.photo', rule: 'file_ref' })] },
    });
    const done = await a.w.send({ waitToken: a.waitToken, executionId: a.executionId, values: { photo: ref.id } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    const row = await t.ctx.kysely.selectFrom('uploads').selectAll().where('id', '=', ref.id).executeTakeFirstOrThrow();
    expect(row.referenced_at).not.toBeNull();
  });

  it('same checks as form uploads: not a file field → 400, wrong type → 415, over the limit → 413', async () => {
    const a = await waitingClaim();
    const q = (field: string) => `?executionId=${a.executionId}&field=${field}`;
    expect((await upload(a.w, q('note'), { filename: 'a.png', type: 'image/png', bytes: PNG })).statusCode).toBe(400);
    expect((await upload(a.w, '?field=photo', { filename: 'a.png', type: 'image/png', bytes: PNG })).statusCode).toBe(
      400,
    );
    const pdf = await upload(a.w, q('photo'), { filename: 'a.png', type: 'image/png', bytes: PDF });
    expect(pdf.statusCode).toBe(415);
    const big = await upload(a.w, q('photo'), {
      filename: 'a.png',
      type: 'image/png',
      bytes: Buffer.concat([PNG, Buffer.alloc(5000)]),
    });
    expect(big.statusCode).toBe(413);
    const wrongExecution = await upload(a.w, `?executionId=${crypto.randomUUID()}&field=photo`, {
      filename: 'a.png',
      type: 'image/png',
      bytes: PNG,
    });
    expect(wrongExecution.statusCode).toBe(404);
    expect(wrongExecution.json().error.code).toBe('execution_not_found');
  });
});
