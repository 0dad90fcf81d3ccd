import { describe, expect, it } from 'vitest';
import { StatementNames } from './StatementNames.js';

describe('StatementNames', () => {
  it('names a parameterised text on its second sighting, and keeps that name', () => {
    const names = new StatementNames();
    expect(names.nameOf('select $1', [1])).toBeUndefined();
    const name = names.nameOf('select $1', [2]);
    expect(name).toMatch(/^cx_\d+$/);
    expect(names.nameOf('select $1', [3])).toBe(name);
    expect(names.nameOf('select $1 + 1', [1])).toBeUndefined();
  });

  it('never names a text without parameters', () => {
    const names = new StatementNames();
    for (let i = 0; i < 3; i++) expect(names.nameOf('begin', [])).toBeUndefined();
  });

  it('runs a forgotten text unnamed from then on', () => {
    const names = new StatementNames();
    names.nameOf('select * from t where a = $1', [1]);
    expect(names.nameOf('select * from t where a = $1', [1])).toBeDefined();
    names.forget('select * from t where a = $1');
    for (let i = 0; i < 3; i++) expect(names.nameOf('select * from t where a = $1', [1])).toBeUndefined();
  });

  it('stays bounded: after 500 names every new text runs unnamed', () => {
    const names = new StatementNames();
    for (let i = 0; i < 500; i++) {
      names.nameOf(`select ${i}, $1`, [1]);
      expect(names.nameOf(`select ${i}, $1`, [1])).toBe(`cx_${i + 1}`);
    }
    names.nameOf('select 501, $1', [1]);
    expect(names.nameOf('select 501, $1', [1])).toBeUndefined();
    expect(names.nameOf('select 0, $1', [1])).toBe('cx_1');
  });
});
