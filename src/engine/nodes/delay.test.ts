import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, jobResult, NOW, trigger } from '../test-support/fixtures.js';
import { parseIsoTime } from './delay.js';

const after = { id: 'after', type: 'message', blocks: [{ type: 'text', text: 'later' }] };
const delayFlow = (config: object) =>
  flowOf([{ id: 'wait', type: 'delay', ...config }, after], [{ from: 'wait', to: 'after' }]);

describe('delay node', () => {
  it('with seconds waits until ctx.now + seconds, in the effect and the wait', async () => {
    const r = await step(delayFlow({ seconds: 90 }), null, trigger, engineContext());
    const at = new Date(NOW.getTime() + 90_000).toISOString();
    expect(at).toBe('2030-01-15T12:01:30.000Z');
    expect(r.status).toBe('waiting_time');
    expect(r.effects).toEqual([{ type: 'job', nodeId: 'wait', job: { kind: 'delay' }, runAt: at }]);
    expect(r.wait).toEqual({ type: 'time', nodeId: 'wait', resumeAt: at });
    expect(r.state.position).toBe('wait');
  });

  it('with until waits until the evaluated ISO time, normalised to UTC', async () => {
    const r = await step(delayFlow({ until: '"2030-02-01T08:00:00+01:00"' }), null, trigger, engineContext());
    expect(r.wait).toEqual({ type: 'time', nodeId: 'wait', resumeAt: '2030-02-01T07:00:00.000Z' });
    expect(r.effects[0]).toMatchObject({ runAt: '2030-02-01T07:00:00.000Z' });
  });

  it('evaluates until over vars', async () => {
    const flow = flowOf(
      [
        { id: 'pick', type: 'set', assign: { when: '"2030-03-01"' } },
        { id: 'wait', type: 'delay', until: 'vars.when & "T09:30:00Z"' },
      ],
      [{ from: 'pick', to: 'wait' }],
    );
    const r = await step(flow, null, trigger, engineContext());
    expect(r.wait).toEqual({ type: 'time', nodeId: 'wait', resumeAt: '2030-03-01T09:30:00.000Z' });
  });

  it('runs at ctx.now when until is in the past', async () => {
    const r = await step(delayFlow({ until: '"2001-01-01T00:00:00Z"' }), null, trigger, engineContext());
    expect(r.wait).toEqual({ type: 'time', nodeId: 'wait', resumeAt: NOW.toISOString() });
  });

  it.each([['"tomorrow"'], ['"2030-02-30T00:00:00Z"'], ['"2030-02-01T08:00:00"'], ['1893456000000'], ['vars.nothing']])(
    'fails with expression_error when until is %s',
    async (until) => {
      const r = await step(delayFlow({ until }), null, trigger, engineContext());
      expect(r.status).toBe('failed');
      expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 'wait' });
      expect(r.error?.message).toMatch(/^node "wait": "until" must evaluate to an ISO-8601 time/);
      expect(r.effects).toEqual([]);
    },
  );

  it('resumes on job_result, ignoring the result, and continues', async () => {
    const flow = delayFlow({ seconds: 5 });
    const waiting = await step(flow, null, trigger, engineContext());
    const r = await step(flow, waiting.state, jobResult('wait', { anything: 1 }), engineContext());
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'text', text: 'later' }]);
    expect(r.state.vars).toEqual({});
  });
});

describe('parseIsoTime', () => {
  it('accepts dates and zoned date-times, and rejects the rest', () => {
    expect(parseIsoTime('2030-01-02')).toBe(Date.UTC(2030, 0, 2));
    expect(parseIsoTime('2030-01-02T03:04Z')).toBe(Date.UTC(2030, 0, 2, 3, 4));
    expect(parseIsoTime('2030-01-02t03:04:05.123456z')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5, 123));
    expect(parseIsoTime('2030-01-02T03:04:05-02:30')).toBe(Date.UTC(2030, 0, 2, 5, 34, 5));
    expect(parseIsoTime('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    for (const bad of [
      '2030-02-29',
      '2030-13-01',
      '2030-01-01T24:00:00Z',
      '2030-01-01T10:00:00',
      'Jan 1 2030',
      5,
      null,
    ]) {
      expect(parseIsoTime(bad)).toBeNull();
    }
  });
});
