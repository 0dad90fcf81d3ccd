import { describe, expect, it } from 'vitest';
import { precompile } from './precompile.js';

describe('precompile', () => {
  it('places each named value where the query uses it, keeping constants', async () => {
    const seen: { sql: string; parameters: readonly unknown[] }[] = [];
    const fakeDb = {
      executeQuery: async (q: { sql: string; parameters: readonly unknown[] }) => {
        seen.push(q);
        return { rows: [{ id: 'x' }] };
      },
    };
    const find = precompile(['tenant', 'id'] as const, (db, v) =>
      db
        .selectFrom('executions')
        .select('id')
        .where('id', '=', v.id)
        .where('status', 'in', ['waiting_input', 'waiting_time'])
        .where('tenant_id', '=', v.tenant),
    );
    const rows = await find(fakeDb as never, { tenant: 't1', id: 'e1' });
    expect(rows).toEqual([{ id: 'x' }]);
    expect(seen[0]!.parameters).toEqual(['e1', 'waiting_input', 'waiting_time', 't1']);
    await find(fakeDb as never, { tenant: 't2', id: 'e2' });
    expect(seen[1]!.parameters).toEqual(['e2', 'waiting_input', 'waiting_time', 't2']);
    // One text for every call.
    expect(seen[1]!.sql).toBe(seen[0]!.sql);
  });

  it('refuses a query that does not use one of its named values', () => {
    expect(() =>
      precompile(['id', 'unused'] as const, (db, v) => db.selectFrom('executions').select('id').where('id', '=', v.id)),
    ).toThrow(/unused/);
  });
});
