// Money as integer minor units of an ISO 4217 currency: exact, and never summed across currencies.

export const CURRENCY_FORMAT = /^[A-Z]{3}$/;

/** ISO 4217 minor-unit exponents that are not 2 (every other well-formed code uses 2). */
const EXPONENTS: Record<string, number> = {
  // 0 decimals
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // 3 decimals
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // 4 decimals
  CLF: 4,
  UYW: 4,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export type MoneyResult = { ok: true; minor: number } | { ok: false; rule: string; message: string };

const DECIMAL = /^(\d{1,15})(?:\.(\d+))?$/;

/**
 * A decimal string or number in major units → integer minor units, exactly (no floating point on the way: a number
 * is read through its shortest decimal form). More decimals than the currency has (unless they are zeros),
 * negatives, exponents and amounts beyond 15 integer digits are refused.
 */
export function toMinorUnits(amount: unknown, currency: string): MoneyResult {
  if (typeof currency !== 'string' || !CURRENCY_FORMAT.test(currency)) {
    return { ok: false, rule: 'currency', message: 'must be an ISO 4217 code: three capital letters, e.g. EUR' };
  }
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) return { ok: false, rule: 'amount', message: 'must be a finite number' };
    text = String(amount);
  } else if (typeof amount === 'string') {
    text = amount.trim();
  } else {
    return { ok: false, rule: 'amount', message: 'must be a decimal string or a number in major units' };
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    return {
      ok: false,
      rule: 'amount',
      message: 'must be a non-negative decimal in major units, e.g. "19.99" (at most 15 integer digits)',
    };
  }
  const exponent = currencyExponent(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    return {
      ok: false,
      rule: 'amount',
      message: `${currency} has ${exponent} decimal${exponent === 1 ? '' : 's'}; the amount has more`,
    };
  }
  const minor = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, rule: 'amount', message: 'is too large' };
  return { ok: true, minor: Number(minor) };
}

/** Minor units back to a decimal string in major units ("19.99", "500", "1.250"). */
export function formatMinorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
