import { AppError } from '../errors/AppError.js';
import type { AnalyticsQuery } from '../wire/analyticsSchemas.js';
import { localDay } from './timeZone.js';

/** Local days, `from` inclusive and `to` exclusive, in the query's time zone. */
export interface DayRange {
  from: string;
  to: string;
}

/** The longest range a query may cover (10 years), and an hourly one (a quarter): keeps rows and work bounded. */
const MAX_DAYS = 3660;
const MAX_HOURLY_DAYS = 92;

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function monthStart(day: string, addMonths = 0): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + addMonths);
  return d.toISOString().slice(0, 10);
}

/** An absolute range as given, or a preset relative to today in `timeZone` (at `now`). */
export function resolveRange(
  range: AnalyticsQuery['range'],
  timeZone: string,
  now: Date,
  granularity?: AnalyticsQuery['granularity'],
): DayRange {
  let result: DayRange;
  if ('preset' in range) {
    const today = localDay(now, timeZone);
    const last = (n: number) => ({ from: addDays(today, 1 - n), to: addDays(today, 1) });
    switch (range.preset) {
      case 'today':
        result = last(1);
        break;
      case 'yesterday':
        result = { from: addDays(today, -1), to: today };
        break;
      case 'last_7_days':
        result = last(7);
        break;
      case 'last_30_days':
        result = last(30);
        break;
      case 'last_90_days':
        result = last(90);
        break;
      case 'this_month':
        result = { from: monthStart(today), to: monthStart(today, 1) };
        break;
      case 'last_month':
        result = { from: monthStart(today, -1), to: monthStart(today) };
        break;
    }
  } else {
    if (Number.isNaN(Date.parse(`${range.from}T00:00:00Z`)) || Number.isNaN(Date.parse(`${range.to}T00:00:00Z`)))
      throw AppError.validation([{ path: 'range', rule: 'date', message: 'from and to must be calendar days.' }]);
    result = { from: range.from, to: addDays(range.to, 1) };
  }
  const days = (Date.parse(`${result.to}T00:00:00Z`) - Date.parse(`${result.from}T00:00:00Z`)) / 86_400_000;
  if (days < 1 || days > MAX_DAYS)
    throw AppError.validation([
      { path: 'range', rule: 'range', message: `The range must run forwards and cover at most ${MAX_DAYS} days.` },
    ]);
  if (granularity === 'hour' && days > MAX_HOURLY_DAYS)
    throw AppError.validation([
      { path: 'range', rule: 'range', message: `Hourly buckets cover at most ${MAX_HOURLY_DAYS} days.` },
    ]);
  return result;
}
