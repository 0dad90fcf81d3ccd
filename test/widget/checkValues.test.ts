import { describe, expect, it } from 'vitest';
import { checkFieldValue } from '../../src/fields/checkFieldValue.js';
import type { Field } from '../../src/fields/types.js';
import { checkValue } from '../../web/widget/src/checkValues.js';

// The widget runs the server's field rules with the browser's pattern engine, so a visitor hears about a mistake
// before a round trip. One table of cases runs through both: the same rules break at the same paths, and the same
// values are sent.
const options = [
  { label: 'Small', value: 's' },
  { label: 'Large', value: 'l' },
];
const cases: [Field, unknown][] = [
  [{ name: 'n', type: 'text', label: 'N', required: true }, ''],
  [{ name: 'n', type: 'text', label: 'N', required: true }, '   '],
  [{ name: 'n', type: 'text', label: 'N', required: true, pattern: '^[0-9]{3,10}$' }, '12'],
  [{ name: 'n', type: 'text', label: 'N', required: true, pattern: '^[0-9]{3,10}$' }, '12345'],
  [{ name: 'n', type: 'text', label: 'N', minLength: 2, maxLength: 3 }, '😀'],
  [{ name: 'n', type: 'text', label: 'N', minLength: 2, maxLength: 3 }, 'abcd'],
  [{ name: 'n', type: 'textarea', label: 'N', maxLength: 5 }, 'a\nb'],
  [{ name: 'e', type: 'email', label: 'E', required: true }, ' ann@example.com '],
  [{ name: 'e', type: 'email', label: 'E' }, 'ann@example'],
  [{ name: 'e', type: 'email', label: 'E' }, 'a..b@example.com'],
  [{ name: 'p', type: 'phone', label: 'P' }, '+49 (30) 123-45'],
  [{ name: 'p', type: 'phone', label: 'P' }, '12'],
  [{ name: 'q', type: 'number', label: 'Q', min: 1, max: 9 }, '3'],
  [{ name: 'q', type: 'number', label: 'Q', min: 1, max: 9 }, '0'],
  [{ name: 'q', type: 'number', label: 'Q', min: 1, max: 9 }, '12'],
  [{ name: 'q', type: 'number', label: 'Q' }, 'three'],
  [{ name: 'q', type: 'number', label: 'Q' }, '1e3'],
  [{ name: 's', type: 'select', label: 'S', options }, 'l'],
  [{ name: 's', type: 'select', label: 'S', options }, 'xl'],
  [{ name: 'm', type: 'multiselect', label: 'M', options }, ['s', 's', 'l']],
  [{ name: 'm', type: 'multiselect', label: 'M', options }, ['s', 'xl']],
  [{ name: 'm', type: 'multiselect', label: 'M', options, required: true }, []],
  [{ name: 'c', type: 'checkbox', label: 'Terms', required: true }, false],
  [{ name: 'c', type: 'checkbox', label: 'Terms' }, 'on'],
  [{ name: 'd', type: 'date', label: 'D' }, '2026-02-29'],
  [{ name: 'd', type: 'date', label: 'D' }, '2028-02-29'],
  [{ name: 'f', type: 'file', label: 'F', required: true }, undefined],
  [{ name: 'h', type: 'hidden', label: 'H', default: 'x' }, undefined],
];

describe("the widget's field checks", () => {
  it.each(cases)('match the server for %j with %j', (field, value) => {
    const server = checkFieldValue(field, value, `values.${field.name}`);
    const browser = checkValue(field as never, value, `values.${field.name}`);
    expect(browser.issues.map((i) => [i.path, i.rule])).toEqual(server.errors.map((e) => [e.path, e.rule]));
    expect(browser.value).toEqual(server.value);
  });
});
