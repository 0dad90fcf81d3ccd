/** Attempts per delivery, the first included. */
export const MAX_DELIVERY_ATTEMPTS = 8;
const FIRST_DELAY_MS = 30_000;
const FACTOR = 4;
const MAX_DELAY_MS = 12 * 60 * 60 * 1000;
/** Jitter adds up to this share of the delay: less than the growth factor, so delays still strictly grow. */
const JITTER = 0.2;

/**
 * The wait before attempt `failed + 1`, after `failed` attempts failed: 30 s × 4ⁿ⁻¹ capped at 12 h (30 s, 2 min,
 * 8 min, 32 min, ~2.1 h, ~8.5 h, 12 h), plus up to 20 % jitter so that receivers coming back from an outage are not
 * hit by every sender at once. Seven waits: about 23–28 h from the first attempt to the last. `random` in [0, 1).
 */
export function retryDelayMs(failed: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_DELAY_MS * FACTOR ** Math.max(0, failed - 1), MAX_DELAY_MS);
  return Math.round(base * (1 + JITTER * random()));
}
