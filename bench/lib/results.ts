import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './servers.js';

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Local calendar date, YYYY-MM-DD: the results file name. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
  };
}

/**
 * Writes bench/results/<date>-<name>.json and .md; returns the paths. A rerun on the same day replaces them, so the
 * directory always holds the latest figures per day and backend.
 */
export function writeResults(name: string, json: unknown, markdown: string): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = join(RESULTS_DIR, `${today()}-${name}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  return [`${base}.json`, `${base}.md`];
}
