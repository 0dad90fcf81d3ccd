import { describe, expect, it } from 'vitest';
import { ConversationCache } from './ConversationCache.js';
import type { WaitRow } from './persistStep.js';

const conversation = { id: 'c1', tenantId: 't1', customerId: 'u1', variables: { a: 1 } };
const wait: WaitRow = {
  id: 'w1',
  node_id: 'ask',
  kind: 'input',
  fields: [],
  submit_label: null,
  expires_at: null,
  resume_at: null,
};
const row = (status: string, waitId: string | null = null) => ({
  id: 'e1',
  status,
  version: 3,
  last_seq: 2,
  wait_id: waitId,
});

function remembered(status: string, waitId: string | null, turnWait: WaitRow | null) {
  const cache = new ConversationCache(1024 * 1024);
  cache.rememberTurn(conversation, {
    row: row(status, waitId),
    state: { vars: {} },
    wait: turnWait,
    flowVersionId: 'v1',
  });
  return cache;
}

describe('ConversationCache', () => {
  it('turned off (0 bytes) keeps nothing', () => {
    const cache = new ConversationCache(0);
    cache.rememberTurn(conversation, { row: row('waiting_input', 'w1'), state: {}, wait, flowVersionId: 'v1' });
    expect(cache.get('t1', 'c1')).toBeUndefined();
  });

  it('holds entries up to its size bound, evicting the least recently used', () => {
    const cache = new ConversationCache(10 * 1024);
    for (let i = 0; i < 100; i++) {
      const id = `c${i}`;
      cache.rememberTurn(
        { ...conversation, id },
        { row: { ...row('waiting_input', 'w1'), id: `e${i}` }, state: {}, wait, flowVersionId: 'v1' },
      );
    }
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(100);
    expect(cache.get('t1', 'c99')).toBeDefined();
    expect(cache.get('t1', 'c0')).toBeUndefined();
  });

  it('keeps an execution waiting for input with everything a resume reads, for its own tenant only', () => {
    const cache = remembered('waiting_input', 'w1', wait);
    expect(cache.get('t1', 'c1')).toMatchObject({
      customerId: 'u1',
      variables: { a: 1 },
      open: { id: 'e1', version: 3, lastSeq: 2, flowVersionId: 'v1', wait: { id: 'w1', nodeId: 'ask', kind: 'input' } },
    });
    expect(cache.get('t2', 'c1')).toBeUndefined();
  });

  it('forgets a conversation whose execution ended, waits on async work or on a wait this turn did not write', () => {
    const cache = remembered('waiting_input', 'w1', wait);
    cache.rememberTurn(conversation, { row: row('waiting_time', 'w2'), state: {}, wait: null, flowVersionId: 'v1' });
    expect(cache.get('t1', 'c1')).toBeUndefined();
    const ended = remembered('waiting_input', 'w1', wait);
    ended.rememberTurn(conversation, { row: row('completed'), state: {}, wait: null, flowVersionId: 'v1' });
    expect(ended.get('t1', 'c1')).toBeUndefined();
    expect(remembered('waiting_input', 'w0', null).get('t1', 'c1')).toBeUndefined();
    expect(remembered('waiting_input', 'w0', wait).get('t1', 'c1')).toBeUndefined();
  });

  it('drops an entry when its open execution changes elsewhere, and everything when anything may have', () => {
    const cache = remembered('waiting_input', 'w1', wait);
    cache.executionChanged('e-other');
    expect(cache.get('t1', 'c1')).toBeDefined();
    cache.executionChanged('e1');
    expect(cache.get('t1', 'c1')).toBeUndefined();
    const all = remembered('waiting_input', 'w1', wait);
    all.executionChanged(undefined);
    expect(all.get('t1', 'c1')).toBeUndefined();
  });
});
