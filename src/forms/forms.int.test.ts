import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseSnapshot } from '../../test/support/databaseSnapshot.js';
import { ORIGIN, seedTenant } from '../../test/support/fixtures.js';
import { multipartBody, PDF, PNG } from '../../test/support/multipart.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import type { PublicKey, Tenant } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { createWidgetKey, updateWidgetKey } from '../keys/widgetKeyService.js';
import { purgeExpiredUploads } from '../uploads/purgeExpiredUploads.js';
import { uploadForAdmin } from '../uploads/uploadForAdmin.js';
import { importForm, publishForm } from './formService.js';

const BASE = '/api/public/v1/forms';
const contact = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'forms', 'contact.json'), 'utf8'),
) as Record<string, unknown>;

let t: TestApp;
let tenant: Tenant;
let key: PublicKey;
beforeAll(async () => {
  t = await createTestApp();
  ({ tenant } = await seedTenant(t.ctx));
  await importForm(t.ctx, tenant.id, contact, { publish: true });
  await importForm(t.ctx, tenant.id, { ...contact, code: 'other', title: 'Other' }, { publish: true });
  key = await createWidgetKey(t.ctx, {
    tenantId: tenant.id,
    label: 'forms',
    origins: [ORIGIN],
    intents: ['order_status'],
    forms: ['contact'],
  });
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { origin: ORIGIN, ...headers } });

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });

const upload = (
  form: string,
  query: string,
  file: { filename: string; type: string; bytes: Buffer } | undefined,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
) => {
  const body = multipartBody({ fields, ...(file ? { file: { name: 'file', ...file } } : {}) });
  return t.app.inject({
    method: 'POST',
    url: `${BASE}/${form}/uploads${query}`,
    headers: { origin: ORIGIN, ...body.headers, ...headers },
    payload: body.payload,
  });
};

const counted = (kind: string, keyId = key.id) =>
  t.ctx.kysely
    .selectFrom('usage_counters')
    .select('count')
    .where('public_key_id', '=', keyId)
    .where('kind', '=', kind)
    .execute()
    .then((rows) => rows.reduce((n, r) => n + Number(r.count), 0));

describe('form reads', () => {
  it('GET /forms/x answers the schema, no-store, and counts exactly one mount (after a flush)', async () => {
    await t.ctx.meter.flush();
    const before = await counted('mount');
    const res = await get(`${BASE}/contact?publicKey=${key.key}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-edge-source']).toBe('published');
    const body = res.json();
    expect(body).toMatchObject({ code: 'contact', version: 1, title: 'Contact us', submitLabel: 'Send' });
    expect(Object.keys(body).sort()).toEqual(['code', 'fields', 'id', 'submitLabel', 'title', 'version']);
    await t.ctx.meter.flush();
    expect(await counted('mount')).toBe(before + 1);
    // By id too.
    expect((await get(`${BASE}/${body.id}?publicKey=${key.key}`)).json().code).toBe('contact');
  });

  it('GET …/schema writes nothing (every table and the meter), answers 304 to its ETag, changes ETag on republish', async () => {
    await t.ctx.meter.flush();
    const tables = await databaseSnapshot(t.ctx.kysely);
    const meter = t.ctx.meter.snapshot();
    expect(meter).toEqual([]);
    const first = await get(`${BASE}/contact/schema`, { 'x-comerix-public-key': key.key });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('private, max-age=60');
    expect(first.headers['x-edge-source']).toBe('published');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get(`${BASE}/contact/schema`, { 'x-comerix-public-key': key.key, 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(t.ctx.meter.snapshot()).toEqual([]);
    await t.ctx.meter.flush();
    expect(await databaseSnapshot(t.ctx.kysely)).toEqual(tables);

    await importForm(t.ctx, tenant.id, { ...contact, title: 'Contact us (new)' });
    await publishForm(t.ctx, tenant.id, 'contact');
    const republished = await get(`${BASE}/contact/schema`, { 'x-comerix-public-key': key.key, 'if-none-match': etag });
    expect(republished.statusCode).toBe(200);
    expect(republished.headers.etag).not.toBe(etag);
    expect(republished.json()).toMatchObject({ version: 2, title: 'Contact us (new)' });
  });

  it('takes the key three ways; two different values → 400', async () => {
    expect((await get(`${BASE}/contact?publicKey=${key.key}`)).statusCode).toBe(200);
    expect((await get(`${BASE}/contact`, { 'x-comerix-public-key': key.key })).statusCode).toBe(200);
    const viaBody = await post(`${BASE}/contact/submissions`, {
      publicKey: key.key,
      values: { name: 'Ann', email: 'ann@example.com', message: 'hi' },
    });
    expect(viaBody.statusCode).toBe(201);
    const other = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'x',
      origins: [ORIGIN],
      intents: ['order_status'],
      allForms: true,
    });
    const conflicting = await get(`${BASE}/contact?publicKey=${key.key}`, { 'x-comerix-public-key': other.key });
    expect(conflicting.statusCode).toBe(400);
    expect(conflicting.json().error.code).toBe('invalid_request');
    const conflictingBody = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, {
      publicKey: other.key,
      values: {},
    });
    expect(conflictingBody.statusCode).toBe(400);
  });

  it('scope before existence: 403 form_not_allowed for out-of-scope forms (existing or not); all-forms key → 404', async () => {
    for (const form of ['other', 'nope']) {
      for (const path of ['', '/schema']) {
        const res = await get(`${BASE}/${form}${path}?publicKey=${key.key}`);
        expect(res.statusCode, `${form}${path}`).toBe(403);
        expect(res.json().error.code).toBe('form_not_allowed');
      }
    }
    const all = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'all',
      origins: [ORIGIN],
      intents: ['order_status'],
      allForms: true,
    });
    const missing = await get(`${BASE}/nope?publicKey=${all.key}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('form_not_found');
    expect((await get(`${BASE}/other?publicKey=${all.key}`)).statusCode).toBe(200);
    // Names that are properties of every object are unknown forms, not something inherited.
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect((await get(`${BASE}/${name}/schema?publicKey=${all.key}`)).statusCode, name).toBe(404);
    }
    // An id works as well as the code, in any case.
    const id = (await get(`${BASE}/contact?publicKey=${key.key}`)).json().id as string;
    expect((await get(`${BASE}/${id.toUpperCase()}/schema?publicKey=${key.key}`)).statusCode).toBe(200);
    expect((await get(`${BASE}/${crypto.randomUUID()}?publicKey=${key.key}`)).json().error.code).toBe(
      'form_not_allowed',
    );
    expect((await get(`${BASE}/${crypto.randomUUID()}?publicKey=${all.key}`)).json().error.code).toBe('form_not_found');
    // A key with no form scope at all reads nothing.
    const none = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'n',
      origins: [ORIGIN],
      intents: ['returns'],
    });
    expect((await get(`${BASE}/contact?publicKey=${none.key}`)).json().error.code).toBe('form_not_allowed');
  });

  it('a foreign origin → 403 origin_not_allowed with no CORS headers', async () => {
    for (const res of [
      await get(`${BASE}/contact?publicKey=${key.key}`, { origin: 'https://evil.example' }),
      await post(
        `${BASE}/contact/submissions?publicKey=${key.key}`,
        { values: {} },
        { origin: 'https://evil.example' },
      ),
      await upload(
        'contact',
        `?field=attachment&publicKey=${key.key}`,
        { filename: 'a.pdf', type: 'application/pdf', bytes: PDF },
        {},
        { origin: 'https://evil.example' },
      ),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('origin_not_allowed');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('submissions', () => {
  it('422 names each failing field: required, email, number range, pattern', async () => {
    const res = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, {
      values: { email: 'not-an-email', quantity: 99, order_number: 'abc', message: 'hi' },
    });
    expect(res.statusCode).toBe(422);
    const fields = (res.json().error.details.fields as { path: string; rule: string }[]).map(
      (f) => `${f.path}:${f.rule}`,
    );
    expect(fields.sort()).toEqual(
      ['values.email:format', 'values.name:required', 'values.order_number:pattern', 'values.quantity:max'].sort(),
    );
  });

  it('valid → 201 with submissionId and the confirmation; the same Idempotency-Key twice → one submission', async () => {
    const values = { name: 'Bo', email: 'bo@example.com', quantity: '3', message: 'Where is it?' };
    const headers = { 'x-comerix-public-key': key.key, 'idempotency-key': 'sub-1' };
    const first = await post(`${BASE}/contact/submissions`, { values }, headers);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      submissionId: expect.any(String),
      confirmation: { message: 'Thanks! We will get back to you within a day.' },
    });
    const second = await post(`${BASE}/contact/submissions`, { values }, headers);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    const rows = await t.ctx.kysely
      .selectFrom('form_submissions')
      .selectAll()
      .where('id', '=', first.json().submissionId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.values).toMatchObject({ quantity: 3 });
    const all = await t.ctx.kysely.selectFrom('form_submissions').select('values').execute();
    expect(all.filter((r) => r.values.name === 'Bo')).toHaveLength(1);
  });

  it('answers the redirect URL when the form has one', async () => {
    await importForm(
      t.ctx,
      tenant.id,
      {
        code: 'signup',
        title: 'Sign up',
        fields: [{ name: 'email', type: 'email', label: 'Email', required: true }],
        confirmation: { redirectUrl: 'https://acme.com/thanks' },
      },
      { publish: true },
    );
    await updateWidgetKey(t.ctx, tenant.id, key.key, { forms: ['contact', 'signup'] });
    const res = await post(`${BASE}/signup/submissions?publicKey=${key.key}`, { values: { email: 'a@b.co' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().confirmation).toEqual({ redirectUrl: 'https://acme.com/thanks' });
    await updateWidgetKey(t.ctx, tenant.id, key.key, { forms: ['contact'] });
  });
});

describe('uploads', () => {
  const pdfQuery = () => `?field=attachment&publicKey=${key.key}`;

  it('no ?field= → 400; unknown or non-file field → 400; no file part → 400', async () => {
    const file = { filename: 'a.pdf', type: 'application/pdf', bytes: PDF };
    for (const query of [
      `?publicKey=${key.key}`,
      `?field=nope&publicKey=${key.key}`,
      `?field=email&publicKey=${key.key}`,
    ]) {
      const res = await upload('contact', query, file);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    expect((await upload('contact', pdfQuery(), undefined, { note: 'x' })).statusCode).toBe(400);
  });

  it('the key may come as a publicKey part before the file; without any key → 401 before the file is read', async () => {
    const res = await upload(
      'contact',
      '?field=attachment',
      { filename: 'r.pdf', type: 'application/pdf', bytes: PDF },
      { publicKey: key.key },
    );
    expect(res.statusCode).toBe(201);
    const none = await upload('contact', '?field=attachment', {
      filename: 'r.pdf',
      type: 'application/pdf',
      bytes: PDF,
    });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('invalid_public_key');
  });

  it('a PNG renamed .pdf sent as application/pdf to a PDF-only field → 415, nothing kept', async () => {
    const before = await t.ctx.kysely.selectFrom('uploads').select('id').execute();
    const res = await upload('contact', pdfQuery(), { filename: 'receipt.pdf', type: 'application/pdf', bytes: PNG });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
    expect(await t.ctx.kysely.selectFrom('uploads').select('id').execute()).toHaveLength(before.length);
  });

  it('body limits are per route: an upload passes 64 KB, a JSON submission does not', async () => {
    const bigPdf = Buffer.concat([PDF, Buffer.alloc(300 * 1024, 0x20)]);
    const res = await upload('contact', pdfQuery(), { filename: 'scan.pdf', type: 'application/pdf', bytes: bigPdf });
    expect(res.statusCode).toBe(201);
    expect(res.json().fileRef.size).toBe(bigPdf.length);
    const huge = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, {
      values: { name: 'x', email: 'x@example.com', message: 'y'.repeat(70 * 1024) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('payload_too_large');
  });

  it('over the field limit → 413 and no blob left', async () => {
    const blobs = await t.ctx.kysely.selectFrom('blobs').select('storage_name').execute();
    const big = Buffer.concat([PDF, Buffer.alloc(1024 * 1024 + 1, 0x20)]);
    const res = await upload('contact', pdfQuery(), { filename: 'big.pdf', type: 'application/pdf', bytes: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(await t.ctx.kysely.selectFrom('blobs').select('storage_name').execute()).toHaveLength(blobs.length);
  });

  it('a valid upload: fileRef with lowercase sha256; its ref is accepted once, refused from another form or key', async () => {
    const res = await upload('contact', pdfQuery(), {
      filename: '../../etc/receipt.pdf',
      type: 'application/octet-stream',
      bytes: PDF,
    });
    expect(res.statusCode).toBe(201);
    const ref = res.json().fileRef;
    expect(ref).toMatchObject({ name: 'receipt.pdf', size: PDF.length, contentType: 'application/pdf' });
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    const row = await t.ctx.kysely.selectFrom('uploads').selectAll().where('id', '=', ref.id).executeTakeFirstOrThrow();
    expect(row.storage_name).toMatch(/^[0-9a-f]{32}$/);
    expect(row.storage_name).not.toContain('receipt');

    const values = { name: 'C', email: 'c@example.com', message: 'see file', attachment: ref.id };
    // Another form (same tenant, a key allowed both) cannot use it.
    const all = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'all2',
      origins: [ORIGIN],
      intents: ['returns'],
      allForms: true,
    });
    const otherForm = await post(`${BASE}/other/submissions?publicKey=${all.key}`, { values });
    expect(otherForm.statusCode).toBe(422);
    expect(otherForm.json().error.details.fields).toEqual([
      expect.objectContaining({ path: 'values.attachment', rule: 'file_ref' }),
    ]);
    // Another key on the same form cannot either.
    const otherKey = await post(`${BASE}/contact/submissions?publicKey=${all.key}`, { values });
    expect(otherKey.statusCode).toBe(422);
    const ok = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, { values });
    expect(ok.statusCode).toBe(201);
    const twice = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, { values });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().error.details.fields[0].path).toBe('values.attachment');

    // The admin gets it back as an attachment, sandboxed and never sniffed.
    const file = await uploadForAdmin(t.ctx, tenant.id, ref.id);
    expect(file.bytes.equals(PDF)).toBe(true);
    expect(file.headers['content-disposition']).toMatch(/^attachment; /);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toContain('sandbox');
    await expect(uploadForAdmin(t.ctx, 'f0000000-0000-4000-8000-000000000000', ref.id)).rejects.toBeInstanceOf(
      AppError,
    );
  });

  it('an expired upload is refused (422) and the sweep removes it with its blob; referenced ones stay', async () => {
    const res = await upload('contact', pdfQuery(), { filename: 'old.pdf', type: 'application/pdf', bytes: PDF });
    const ref = res.json().fileRef;
    const row = await t.ctx.kysely
      .updateTable('uploads')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', ref.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const refused = await post(`${BASE}/contact/submissions?publicKey=${key.key}`, {
      values: { name: 'D', email: 'd@example.com', message: 'late', attachment: ref.id },
    });
    expect(refused.statusCode).toBe(422);
    const referenced = await t.ctx.kysely
      .selectFrom('uploads')
      .select('id')
      .where('referenced_at', 'is not', null)
      .execute();
    expect(await purgeExpiredUploads(t.ctx)).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.kysely.selectFrom('uploads').select('id').where('id', '=', ref.id).execute()).toEqual([]);
    expect(await t.ctx.blobs.get(tenant.id, row.storage_name)).toBeUndefined();
    const still = await t.ctx.kysely
      .selectFrom('uploads')
      .select('id')
      .where('referenced_at', 'is not', null)
      .execute();
    expect(still).toHaveLength(referenced.length);
  });
});

describe('key form scope', () => {
  it('is exclusive in the database, and codes are checked on create and update', async () => {
    await expect(
      t.ctx.kysely
        .updateTable('public_keys')
        .set({ allows_all_forms: true, allowed_forms: JSON.stringify(['contact']) })
        .where('id', '=', key.id)
        .execute(),
    ).rejects.toThrow(/public_keys_form_scope_exclusive/);
    await expect(
      createWidgetKey(t.ctx, {
        tenantId: tenant.id,
        label: 'x',
        origins: [ORIGIN],
        intents: ['returns'],
        forms: ['ghost'],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { fields: [{ path: 'forms', rule: 'exists' }] } });
    await expect(updateWidgetKey(t.ctx, tenant.id, key.key, { forms: ['ghost'] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
