import { describe, expect, it } from 'vitest';
import { formFileOf, newField, withType } from '../../web/admin/src/forms/formTypes.js';
import { fieldIssues, issuesAt } from '../../web/admin/src/ui/problems.js';
import { hrefOf, parseRoute, type Route } from '../../web/admin/src/ui/routes.js';

describe('the panel’s hash routes', () => {
  it('every route survives hrefOf → parseRoute, and an unknown hash is the flows list', () => {
    const routes: Route[] = [
      { screen: 'flows' },
      { screen: 'flow', id: 'a b' },
      { screen: 'history' },
      { screen: 'conversation', id: 'c' },
      { screen: 'widget' },
      { screen: 'forms' },
      { screen: 'form', id: 'new' },
      { screen: 'connections' },
      { screen: 'webhooks' },
      { screen: 'usage' },
      { screen: 'users' },
      { screen: 'analytics' },
      { screen: 'reports' },
      { screen: 'report', id: 'new' },
      { screen: 'tokens' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(parseRoute('#/nowhere')).toEqual({ screen: 'flows' });
  });
});

describe('422 details by path', () => {
  const problem = {
    code: 'validation_failed',
    status: 422,
    message: 'x',
    details: {
      fields: [
        { path: 'fields[0].name', rule: 'form', message: 'must match' },
        { path: 'fields[10].name', rule: 'form', message: 'other field' },
        { path: 'body.eventTypes', rule: 'too_small', message: 'too small' },
        { path: 'originsX', message: 'not origins' },
      ],
    },
  };
  it('claims a path and what is inside it, never a sibling that shares a prefix', () => {
    expect(issuesAt(problem, 'fields[0]').map((i) => i.message)).toEqual(['must match']);
    expect(issuesAt(problem, 'fields[1]')).toEqual([]);
    expect(issuesAt(problem, 'origins')).toEqual([]);
  });
  it('reads a shape error’s body path as the member it names', () => {
    expect(issuesAt(problem, 'eventTypes').map((i) => i.rule)).toEqual(['too_small']);
  });
  it('has nothing to show for a problem without fields', () => {
    expect(fieldIssues({ details: { reason: 'no fields here' } })).toEqual([]);
    expect(fieldIssues(undefined)).toEqual([]);
  });
});

describe('the form builder’s file', () => {
  it('drops what a new type does not accept, so nothing misplaced is sent', () => {
    const text = { name: 'a', type: 'text' as const, label: 'A', minLength: 2, pattern: 'x' };
    expect(withType(text, 'number')).toEqual({ name: 'a', type: 'number', label: 'A' });
    expect(withType(text, 'select').options).toHaveLength(1);
  });
  it('leaves out empty texts, lists and required: false, as a hand-written file would', () => {
    const fields = [newField([], 'email')];
    expect(
      formFileOf({
        code: 'c',
        title: 'T',
        submitLabel: '',
        fields: [{ ...fields[0]!, placeholder: '', required: false, accept: [] }],
        confirmation: { message: '', redirectUrl: '' },
      }),
    ).toEqual({ code: 'c', title: 'T', fields: [{ name: 'field_1', type: 'email', label: 'Field 1' }] });
  });
});
