/** One sample of the Prometheus text format (version 0.0.4). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The sum of the values of `name` whose labels include every pair of `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SUFFIXES: Record<string, string[]> = {
  counter: [''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  untyped: [''],
};

/**
 * A strict parser of the text exposition format: every line is a HELP, a TYPE or a sample of a family declared by a
 * TYPE line before it; label values are quoted with \\, \" and \n escapes; values are floats, +Inf, -Inf or NaN.
 * Anything else throws, naming the line.
 */
export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const fail = (why: string) => new Error(`line ${i + 1}: ${why}: ${line}`);
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) throw fail('a comment that is neither HELP nor TYPE');
      if (!NAME.test(m[2]!)) throw fail('a bad metric name');
      if (m[1] === 'TYPE') {
        if (!(m[3]! in SUFFIXES)) throw fail('an unknown type');
        if (types.has(m[2]!)) throw fail('a second TYPE for one family');
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) throw fail('not a sample');
    const name = m[1]!;
    const family = [...types.entries()].find(([f, type]) => SUFFIXES[type]!.some((s) => `${f}${s}` === name));
    if (!family) throw fail('a sample of no declared family');
    const labels: Record<string, string> = {};
    if (m[2]) {
      const body = m[2].slice(1, -1);
      const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/y;
      let at = 0;
      while (at < body.length) {
        label.lastIndex = at;
        const l = label.exec(body);
        if (!l) throw fail('a malformed label');
        if (l[1]! in labels) throw fail('a repeated label');
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        at = label.lastIndex;
      }
    }
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (!/^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/.test(raw)) throw fail('a bad value');
    samples.push({ name, labels, value });
  }
  return {
    types,
    samples,
    sum(name, want = {}) {
      return samples
        .filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v))
        .reduce((total, s) => total + s.value, 0);
    },
  };
}
