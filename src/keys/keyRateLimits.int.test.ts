import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { digestOf } from '../audit/recordAudit.js';
import type { CommandRequest } from '../cli/runCommand.js';
import { UsageError } from '../cli/UsageError.js';
import { addKeyCommands } from './keyCli.js';
import { type KeyCommandRequest, runKeyCommand } from './keyCommands.js';
import { updateWidgetKey } from './widgetKeyService.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Parses a command line as `comerix` does and runs what it dispatches against the test database. */
async function cli(args: string[]): Promise<string> {
  let request: CommandRequest | undefined;
  const program = new Command().exitOverride();
  addKeyCommands(program, async (r) => {
    request = r;
  });
  await program.parseAsync(args, { from: 'user' });
  return runKeyCommand(t.ctx, request as KeyCommandRequest);
}

const rowOf = (id: string) =>
  t.ctx.kysely.selectFrom('public_keys').select('rate_limits').where('id', '=', id).executeTakeFirstOrThrow();

describe('widget-key:update --rate-limit', () => {
  it('sets, keeps and clears a key’s own limits, audited', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    expect((await rowOf(key.id)).rate_limits).toEqual({});
    await cli([
      'widget-key:update',
      key.key,
      `--tenant=${tenant.slug}`,
      '--rate-limit=messages_per_session=120/30',
      '--rate-limit',
      'sessions_per_public_key=5',
    ]);
    expect((await rowOf(key.id)).rate_limits).toEqual({
      messages_per_session: { max: 120, windowSeconds: 30 },
      sessions_per_public_key: { max: 5 },
    });
    // Another change leaves the limits as they are; `name=default` clears only that one.
    await cli(['widget-key:update', key.key, `--tenant=${tenant.slug}`, '--label=Renamed']);
    await cli(['widget-key:update', key.key, `--tenant=${tenant.slug}`, '--rate-limit=messages_per_session=default']);
    expect((await rowOf(key.id)).rate_limits).toEqual({ sessions_per_public_key: { max: 5 } });
    // The audit digest covers the limits: a change of limits alone is a change of digest.
    const audits = await t.ctx.kysely
      .selectFrom('audit_log')
      .select(['before_digest', 'after_digest'])
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'widget_key.update')
      .orderBy('id')
      .execute();
    expect(audits).toHaveLength(3);
    const cleared = audits[2]!;
    expect(cleared.after_digest).not.toBe(cleared.before_digest);
    const { key: _value, ...settings } = await t.ctx.kysely
      .selectFrom('public_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(cleared.after_digest).toBe(digestOf(settings));
  });

  it('refuses a malformed flag as usage, and a name that is not a per-credential bucket with 422 and its path', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    await expect(
      cli(['widget-key:update', key.key, `--tenant=${tenant.slug}`, '--rate-limit=messages_per_session']),
    ).rejects.toBeInstanceOf(UsageError);
    for (const [name, value] of [
      ['no_such_bucket', { max: 5 }],
      ['sessions_per_ip', { max: 5 }],
      ['engine_per_secret_key', { max: 5 }],
      ['messages_per_session', { max: 0 }],
      ['messages_per_session', { max: 5, windowSeconds: 0 }],
    ] as const) {
      const error = await updateWidgetKey(t.ctx, tenant.id, key.key, { rateLimits: { [name]: value } }).catch(
        (e: unknown) => e,
      );
      expect(error, name).toMatchObject({
        code: 'validation_failed',
        status: 422,
        details: { fields: [{ path: `rateLimits.${name}` }] },
      });
    }
    expect((await rowOf(key.id)).rate_limits).toEqual({});
  });
});
