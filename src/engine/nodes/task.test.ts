import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, jobResult, trigger } from '../test-support/fixtures.js';

describe('task node', () => {
  it('waits with a task job whose input is rendered like an http body', async () => {
    const flow = flowOf(
      [
        { id: 'setup', type: 'set', assign: { sku: '"SKU-1"', qty: '2' } },
        {
          id: 'reserve',
          type: 'task',
          task: 'stock.reserve',
          input: { sku: '{{ vars.sku }}', qty: '{{ vars.qty }}', note: 'for {{ conversation.customer_id }}' },
          saveAs: 'reservation',
        },
      ],
      [{ from: 'setup', to: 'reserve' }],
    );
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('waiting_time');
    expect(r.effects).toEqual([
      {
        type: 'job',
        nodeId: 'reserve',
        job: { kind: 'task', task: 'stock.reserve', input: { sku: 'SKU-1', qty: 2, note: 'for cust-1' } },
      },
    ]);
    expect(r.wait).toEqual({ type: 'time', nodeId: 'reserve' });
    expect(r.state.position).toBe('reserve');
  });

  it('sends {} without input, and null for an input expression that yields nothing', async () => {
    const none = await step(flowOf([{ id: 't', type: 'task', task: 'noop' }]), null, trigger, engineContext());
    expect(none.effects).toEqual([{ type: 'job', nodeId: 't', job: { kind: 'task', task: 'noop', input: {} } }]);
    const empty = flowOf([{ id: 't', type: 'task', task: 'noop', input: '{{ vars.nothing }}' }]);
    const r = await step(empty, null, trigger, engineContext());
    expect(r.effects).toEqual([{ type: 'job', nodeId: 't', job: { kind: 'task', task: 'noop', input: null } }]);
  });

  it('on job_result stores the result under vars.<saveAs> and continues', async () => {
    const flow = flowOf(
      [
        { id: 'reserve', type: 'task', task: 'stock.reserve', saveAs: 'reservation' },
        { id: 'say', type: 'message', blocks: [{ type: 'text', text: 'Reserved #{{ vars.reservation.id }}' }] },
      ],
      [{ from: 'reserve', to: 'say' }],
    );
    const waiting = await step(flow, null, trigger, engineContext());
    const r = await step(flow, waiting.state, jobResult('reserve', { id: 991 }), engineContext());
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'text', text: 'Reserved #991' }]);
    expect(r.state.vars).toEqual({ reservation: { id: 991 } });
  });

  it('on job_failed fails with the worker error', async () => {
    const flow = flowOf([{ id: 'reserve', type: 'task', task: 'stock.reserve' }]);
    const waiting = await step(flow, null, trigger, engineContext());
    const error = { code: 'timeout' as const, message: 'task stock.reserve timed out' };
    const r = await step(flow, waiting.state, { kind: 'job_failed', nodeId: 'reserve', error }, engineContext());
    expect(r).toMatchObject({ status: 'failed', error: { ...error, nodeId: 'reserve' } });
    expect(r.blocks).toEqual([{ type: 'error', ...error }]);
  });
});
