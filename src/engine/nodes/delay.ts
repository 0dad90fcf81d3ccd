// `delay`: waits (`waiting_time`) until `now + seconds`, or until the ISO-8601 time an expression yields; a time in
// the past runs at once. The queue runs an empty job at that time, whose result resumes the execution.
import { z } from 'zod';
import { ExpressionError } from '../expressions.js';
import type { Json } from '../types.js';
import { defaultPortOnly, expressionSchema, nodeBase } from './common.js';
import { defineNode } from './types.js';

export const MAX_DELAY_SECONDS = 30 * 24 * 3600;

export const delayNodeSchema = z
  .strictObject({
    ...nodeBase('delay'),
    seconds: z.number().min(1).max(MAX_DELAY_SECONDS).optional(),
    until: expressionSchema.optional(),
  })
  .superRefine((node, ctx) => {
    if ((node.seconds === undefined) === (node.until === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a delay needs exactly one of "seconds" or "until"' });
    }
  });

export const delayNode = defineNode({
  type: 'delay',
  schema: delayNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) =>
    node.until === undefined ? [] : [{ path: ['until'], source: node.until, kind: 'expression' }],
  async run(node, rt) {
    const now = rt.now.getTime();
    let at = now + (node.seconds ?? 0) * 1000;
    if (node.until !== undefined) {
      const until = parseIsoTime(await rt.evaluate(node.until));
      if (until === null) {
        throw new ExpressionError(
          '"until" must evaluate to an ISO-8601 time with a time zone, e.g. 2030-01-31T09:00:00Z',
          'invalid_time',
        );
      }
      at = Math.max(until, now);
    }
    const runAt = new Date(at).toISOString();
    return { kind: 'job', job: { kind: 'delay' }, runAt };
  },
  jobResult: () => null,
});

// A date (read as UTC midnight), or a date and time with `Z` or an offset: a time without a zone would depend on the
// server's time zone.
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/;

/** Epoch ms of an ISO-8601 time string, or `null` when the value is not one (Feb 30 and 24:00 included). */
export function parseIsoTime(value: Json | undefined): number | null {
  if (typeof value !== 'string') return null;
  const match = ISO_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const daysInMonth = new Date(Date.UTC(year ?? 0, month ?? 0, 0)).getUTCDate();
  const valid =
    (month ?? 0) >= 1 &&
    (month ?? 0) <= 12 &&
    (day ?? 0) >= 1 &&
    (day ?? 0) <= daysInMonth &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (second ?? 0) <= 59 &&
    (offsetHours ?? 0) <= 23 &&
    (offsetMinutes ?? 0) <= 59;
  if (!valid) return null;
  const ms = Date.parse(value.toUpperCase());
  return Number.isFinite(ms) ? ms : null;
}
