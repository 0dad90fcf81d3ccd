import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMinorUnits, toMinorUnits } from './money.js';

describe('toMinorUnits', () => {
  it('reads decimal strings and numbers exactly, by the currency exponent', () => {
    expect(toMinorUnits('19.99', 'EUR')).toEqual({ ok: true, minor: 1999 });
    expect(toMinorUnits(19.99, 'EUR')).toEqual({ ok: true, minor: 1999 });
    expect(toMinorUnits('0.30', 'USD')).toEqual({ ok: true, minor: 30 });
    expect(toMinorUnits('500', 'JPY')).toEqual({ ok: true, minor: 500 });
    expect(toMinorUnits('1.250', 'KWD')).toEqual({ ok: true, minor: 1250 });
    expect(toMinorUnits('1.5', 'BHD')).toEqual({ ok: true, minor: 1500 });
    expect(toMinorUnits('10.00', 'JPY')).toEqual({ ok: true, minor: 10 });
    expect(toMinorUnits(0, 'EUR')).toEqual({ ok: true, minor: 0 });
  });

  it('refuses what cannot be stored exactly', () => {
    expect(toMinorUnits('1.5', 'JPY').ok).toBe(false);
    expect(toMinorUnits('1.999', 'EUR').ok).toBe(false);
    expect(toMinorUnits(0.1 + 0.2, 'EUR').ok).toBe(false);
    expect(toMinorUnits('-1', 'EUR').ok).toBe(false);
    expect(toMinorUnits('1e3', 'EUR').ok).toBe(false);
    expect(toMinorUnits(Number.NaN, 'EUR').ok).toBe(false);
    expect(toMinorUnits('', 'EUR').ok).toBe(false);
    expect(toMinorUnits(null, 'EUR').ok).toBe(false);
    expect(toMinorUnits('9999999999999999', 'EUR').ok).toBe(false);
    expect(toMinorUnits('1', 'eur')).toMatchObject({ ok: false, rule: 'currency' });
    expect(toMinorUnits('1', 'EURO')).toMatchObject({ ok: false, rule: 'currency' });
  });

  it('knows the exponents and formats back', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('EUR')).toBe(2);
    expect(formatMinorUnits(1999, 'EUR')).toBe('19.99');
    expect(formatMinorUnits(5, 'EUR')).toBe('0.05');
    expect(formatMinorUnits(500, 'JPY')).toBe('500');
    expect(formatMinorUnits(1250, 'KWD')).toBe('1.250');
  });
});
