import { describe, expect, it } from 'vitest';
import { validateValues } from '../fields/validateValues.js';
import { step } from './step.js';
import { engineContext, loadFlow, resumeWith, returnsFlow, trigger } from './test-support/fixtures.js';

describe('returns flow: choice of reason → form → confirmation', () => {
  const flow = loadFlow(returnsFlow);
  const ctx = engineContext();

  it('runs from trigger to completed, with caller-side validation of each resume', async () => {
    const first = await step(flow, null, trigger, ctx);
    expect(first.status).toBe('waiting_input');
    expect(first.blocks).toEqual([
      {
        type: 'quick_replies',
        text: 'Why are you returning it?',
        options: [
          { label: 'Too small', value: 'too_small' },
          { label: 'Damaged', value: 'damaged' },
        ],
      },
    ]);

    // The service validates resume values against the wait's fields before calling step.
    const reasonFields = first.wait?.type === 'input' ? first.wait.fields : [];
    expect(validateValues(reasonFields, { reason: 'lost' })).toMatchObject({ ok: false, errors: [{ rule: 'option' }] });
    const reason = validateValues(reasonFields, { reason: 'damaged' });
    if (!reason.ok) throw new Error('expected valid');
    const form = await step(flow, first.state, resumeWith(reason.values), ctx);
    expect(form.status).toBe('waiting_input');
    expect(form.blocks).toEqual([
      { type: 'text', text: 'Tell us about the order.' },
      { type: 'form', fields: returnsFlow.nodes[1]?.fields, submitLabel: 'Send' },
    ]);

    const formFields = form.wait?.type === 'input' ? form.wait.fields : [];
    const bad = validateValues(formFields, { order_number: 'abc', comment: 'x'.repeat(501), extra: 1 });
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.path} ${e.rule}`)).toEqual([
      'values.extra unknown_field',
      'values.order_number pattern',
      'values.comment maxLength',
    ]);
    const details = validateValues(formFields, { order_number: '4711', comment: 'Box was <crushed> & wet' });
    if (!details.ok) throw new Error('expected valid');
    const done = await step(flow, form.state, resumeWith(details.values), ctx);
    expect(done.status).toBe('completed');
    expect(done.blocks).toEqual([
      {
        type: 'markdown',
        text: 'Return of order **4711** (damaged) registered. Note\\: Box was \\<crushed\\> \\& wet',
      },
    ]);
    expect(done.state.vars).toEqual({ reason: 'damaged', order_number: '4711', comment: 'Box was <crushed> & wet' });
  });

  it('omits the note when the optional comment is left out', async () => {
    const first = await step(flow, null, trigger, ctx);
    const form = await step(flow, first.state, resumeWith({ reason: 'too_small' }), ctx);
    const done = await step(flow, form.state, resumeWith({ order_number: '123' }), ctx);
    expect(done.blocks).toEqual([{ type: 'markdown', text: 'Return of order **123** (too\\_small) registered. ' }]);
  });
});
