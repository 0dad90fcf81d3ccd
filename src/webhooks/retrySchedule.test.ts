import { describe, expect, it } from 'vitest';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './retrySchedule.js';

describe('retryDelayMs', () => {
  it('grows strictly whatever the jitter, and spans about a day', () => {
    for (const [low, high] of [
      [0, 0.999],
      [0.999, 0],
      [0.5, 0.5],
    ] as const) {
      let previousMax = 0;
      for (let failed = 1; failed < MAX_DELIVERY_ATTEMPTS; failed++) {
        const lowest = retryDelayMs(failed, () => low);
        const highest = retryDelayMs(failed, () => high);
        expect(Math.min(lowest, highest)).toBeGreaterThan(previousMax);
        previousMax = Math.max(lowest, highest);
      }
    }
    let total = 0;
    for (let failed = 1; failed < MAX_DELIVERY_ATTEMPTS; failed++) total += retryDelayMs(failed, () => 0);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(30);
  });
});
