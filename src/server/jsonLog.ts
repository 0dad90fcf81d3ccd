import { hostname } from 'node:os';
import type { Config } from '../config.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;

export type JsonLog = Record<Level, (msg: string, fields?: { err?: unknown } & Record<string, unknown>) => void>;

/**
 * One JSON object a line on stderr, in the shape the API's pino logger writes (level number, time, pid, hostname,
 * msg, err), so `comerix worker` lines go through the same log pipeline as the API's.
 */
export function jsonLog(level: Config['logLevel'], write: (line: string) => void = (l) => process.stderr.write(l)) {
  const min = level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS[level];
  const base = { pid: process.pid, hostname: hostname() };
  const log = {} as JsonLog;
  for (const [name, value] of Object.entries(LEVELS) as [Level, number][]) {
    log[name] = (msg, fields = {}) => {
      if (value < min) return;
      const { err, ...rest } = fields;
      const line = {
        level: value,
        time: Date.now(),
        ...base,
        ...rest,
        ...(err !== undefined ? { err: errorOf(err) } : {}),
        msg,
      };
      write(`${JSON.stringify(line)}\n`);
    };
  }
  return log;
}

function errorOf(err: unknown) {
  if (!(err instanceof Error)) return { message: String(err) };
  return { type: err.name, message: err.message, stack: err.stack };
}
