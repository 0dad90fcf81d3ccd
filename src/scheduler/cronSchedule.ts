import { CronExpressionParser } from 'cron-parser';
import { AppError } from '../errors/AppError.js';

/** Longest cron expression accepted: five or six short fields fit in far less. */
const MAX_CRON_LENGTH = 120;

/** Whether `timeZone` is an IANA name this runtime knows (Intl throws a RangeError otherwise). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first time strictly after `after` that the cron expression names, read in `timeZone` (DST handled by
 * cron-parser: a 02:30 that a spring-forward skips is not invented, one that autumn repeats fires once).
 */
export function nextCronTime(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after }).next().toDate();
}

/**
 * Checks a schedule's expression and zone as a user typed them; throws 422 `validation_failed` naming the field.
 * `H` (a random value per parse) is refused: a schedule must name the same times on every worker.
 */
export function checkCronSchedule(cron: string, timeZone: string, path = 'schedule'): void {
  const fail = (field: string, rule: string, message: string) =>
    AppError.validation([{ path: `${path}.${field}`, rule, message }]);
  if (cron.length === 0 || cron.length > MAX_CRON_LENGTH)
    throw fail('cron', 'length', 'A cron expression is 1 to 120 characters.');
  const random = cron
    .trim()
    .split(/\s+/)
    .some((field) => field.split(',').some((part) => part.startsWith('H') || part.startsWith('h')));
  if (random) {
    throw fail('cron', 'cron', 'Random (H) fields are not supported: name the times.');
  }
  if (!isTimeZone(timeZone)) throw fail('timeZone', 'time_zone', `"${timeZone}" is not an IANA time zone name.`);
  try {
    nextCronTime(cron, timeZone, new Date());
  } catch (error) {
    throw fail('cron', 'cron', `Not a cron expression: ${error instanceof Error ? error.message : String(error)}`);
  }
}
