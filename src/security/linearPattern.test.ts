import { describe, expect, it } from 'vitest';
import { linearPattern, MAX_PROGRAM_SIZE, patternProblem } from './linearPattern.js';

// Shapes that make a backtracking engine take exponential (or high-polynomial) time on a near-miss input, each with
// the lengths n for which it accepts `x` repeated n times. None accepts a trailing "!".
const always = () => true;
const shapes: [(x: string) => string, (n: number) => boolean][] = [
  [(x) => `^(${x}+)+$`, always],
  [(x) => `^(${x}*)*$`, always],
  [(x) => `^(${x}|${x})*$`, always],
  [(x) => `^(${x}|${x}${x})+$`, always],
  [(x) => `^(${x}+${x}+)+$`, (n) => n >= 2],
  [(x) => `^((${x}+)+)+$`, always],
  [(x) => `^(${x}?){25}${x}{25}$`, (n) => n >= 25 && n <= 50],
  [(x) => `^(.*${x}){12}$`, (n) => n >= 12],
  [(x) => `^(?:${x}+|${x}+${x})*$`, always],
  [(x) => `^(${x}|${x}?)+$`, always],
  [(x) => `^(${x}{1,10}){1,10}$`, (n) => n >= 1 && n <= 100],
];
const catastrophic = ['a', '[a-z]', '\\w', '[^!]'].flatMap((x) =>
  shapes.map(([shape, accepts]) => ({ source: shape(x), accepts })),
);
const lengths = [10, 30, 1_000, 20_000];

describe('linearPattern', () => {
  it.each(catastrophic)('runs $source over near-miss inputs to a verdict', ({ source, accepts }) => {
    const pattern = linearPattern(source);
    for (const n of lengths) {
      // On a backtracking engine the first of these would not finish in our lifetime from n = 30 on.
      expect(pattern.test(`${'a'.repeat(n)}!`)).toBe(false);
      expect(pattern.test('a'.repeat(n))).toBe(accepts(n));
    }
  });

  it.each([
    ['(a)\\1', /invalid escape sequence/],
    ['(?<n>a)\\k<n>', /invalid escape sequence/],
    ['(?=a)b', /unsupported Perl syntax/],
    ['(?!a)b', /unsupported Perl syntax/],
    ['(?<=a)b', /invalid named capture/],
    ['(?<!a)b', /invalid named capture/],
    ['a{1,1000}{1,1000}', /nested repetition/],
    ['a{1001}', /invalid repeat count/],
  ])('refuses %s, saying which syntax is supported', (source, reason) => {
    const problem = patternProblem(source);
    expect(problem).toMatch(reason);
    expect(problem).toMatch(/RE2 syntax: no backreferences or lookaround/);
  });

  it('refuses a program too large to match quickly', () => {
    expect(patternProblem('(.*a){1000}')).toMatch(/too complex|too large/);
    expect(patternProblem('(.*a){100}')).toBeNull();
    expect(linearPattern('(.*a){100}').programSize()).toBeLessThanOrEqual(MAX_PROGRAM_SIZE);
  });

  it('accepts everyday patterns, with JavaScript flags mapped', () => {
    expect(linearPattern('^[0-9]{3,10}$').test('12345')).toBe(true);
    expect(linearPattern('^\\p{L}+$').test('Zoë')).toBe(true);
    expect(linearPattern('^abc$', 'i').test('ABC')).toBe(true);
    expect(linearPattern('^b$', 'm').test('a\nb')).toBe(true);
    expect(linearPattern('(?P<year>\\d{4})').test('in 2024')).toBe(true);
  });
});
