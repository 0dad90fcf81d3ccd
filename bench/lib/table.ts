import type { BackendName } from './backends.js';
import { failures, type LoadResult } from './load.js';
import { CONTENDED_PERCENT } from './procSampler.js';
import type { ScenarioRow } from './scenarios.js';

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

/** DESIGN §17 targets, as ratios to the ceiling measured in the same run. */
export const TARGETS = {
  turnThroughputRatio: 0.5,
  turnP99Ratio: 3,
  apiRssMb: 200,
  growthP50Ratio: 1.25,
  /** DESIGN §17: telemetry ingested on PostgreSQL, events per second (batches of 50). */
  telemetryEventsPerSecond: 20_000,
} as const;

const pct = (x: number) => `${Math.round(x * 100)} %`;
const times = (x: number) => `${x.toFixed(2)}×`;

export function ratios(row: ScenarioRow, ceiling: ScenarioRow | undefined): { rps?: number; p99?: number } {
  if (!row.load || !ceiling?.load || ceiling.load.rps === 0) return {};
  return {
    rps: row.load.rps / ceiling.load.rps,
    ...(ceiling.load.latency.p99 > 0 ? { p99: row.load.latency.p99 / ceiling.load.latency.p99 } : {}),
  };
}

/**
 * CPU milliseconds spent per request: far less sensitive than req/s to other load on the box, so it is the figure to
 * compare between rows (and between runs) when hunting for cost.
 */
function perRequest(percentOfCore: number, l: LoadResult): string {
  return l.requests > 0 ? (((percentOfCore / 100) * l.seconds * 1000) / l.requests).toFixed(2) : '';
}

/** The markdown table printed at the end of a run and written to bench/results/<date>-<backend>.md. */
export function scenarioTable(rows: ScenarioRow[]): string {
  const ceiling = rows.find((r) => r.key === 'ceiling');
  const header =
    '| scenario | req/s | p50 ms | p99 ms | max ms | failed | server CPU (sys) | server CPU ms/req | DB CPU | DB CPU ms/req | client CPU | other CPU | server RSS peak | req/s ÷ ceiling | p99 ÷ ceiling p99 | notes |';
  const lines = [header, `|${' --- |'.repeat(16)}`];
  for (const row of rows) {
    if (!row.built || !row.load) {
      lines.push(`| ${row.name} | n/a (not built yet) |  |  |  |  |  |  |  |  |  |  |  |  |  | ${row.note ?? ''} |`);
      continue;
    }
    const l = row.load;
    const r = row.key === 'ceiling' ? { rps: 1, p99: 1 } : ratios(row, ceiling);
    const proc = l.proc;
    lines.push(
      [
        '',
        row.name,
        l.rps.toLocaleString('en-US'),
        l.latency.p50,
        l.latency.p99,
        l.latency.max,
        failures(l) === 0 ? '0' : `**${failures(l)}** ${JSON.stringify(l.statusCodes)}`,
        proc ? `${proc.cpuPercent} % (${proc.sysPercent} %)` : '',
        proc ? perRequest(proc.cpuPercent, l) : '',
        proc?.dbCpuPercent !== undefined ? `${proc.dbCpuPercent} %` : '–',
        proc?.dbCpuPercent !== undefined ? perRequest(proc.dbCpuPercent, l) : '–',
        proc ? `${proc.clientCpuPercent} %` : '',
        proc ? `${proc.otherCpuPercent} %` : '',
        proc ? `${proc.rssPeakMb} MB` : '',
        r.rps !== undefined ? pct(r.rps) : '',
        r.p99 !== undefined ? times(r.p99) : '',
        [
          proc && proc.otherCpuPercent > CONTENDED_PERCENT ? '⚠ contended: other processes used the CPU' : '',
          `${l.requests.toLocaleString('en-US')} req in ${l.seconds} s`,
          row.note,
        ]
          .filter(Boolean)
          .join('; '),
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  return lines.join('\n');
}

/** The DESIGN §17 verdicts this run can judge: turn throughput and p99 against the ceiling, and API memory. */
export function verdicts(backend: BackendName, rows: ScenarioRow[]): Verdict[] {
  const ceiling = rows.find((r) => r.key === 'ceiling');
  const out: Verdict[] = [];
  // DESIGN's chat turn is the pair (trigger → waiting_input, then resume → completed); each half is judged on its own
  // too, the resume on its cold path (see bench/README.md).
  const labels = {
    turn: 'turn pair',
    turnWebhook: 'turn pair with a webhook',
    trigger: 'trigger',
    resume: 'resume',
  } as const;
  for (const key of ['turn', 'turnWebhook', 'trigger', 'resume'] as const) {
    const row = rows.find((r) => r.key === key);
    if (!row?.load) continue;
    const r = ratios(row, ceiling);
    if (r.rps !== undefined) {
      out.push({
        target: `${labels[key]} throughput ≥ ${pct(TARGETS.turnThroughputRatio)} of ceiling`,
        measured: pct(r.rps),
        pass: r.rps >= TARGETS.turnThroughputRatio && failures(row.load) === 0,
      });
    }
    if (backend === 'postgres' && r.p99 !== undefined) {
      out.push({
        target: `${labels[key]} p99 ≤ ${TARGETS.turnP99Ratio}× ceiling p99`,
        measured: times(r.p99),
        pass: r.p99 <= TARGETS.turnP99Ratio,
      });
    }
  }
  const telemetry = rows.find((r) => r.key === 'telemetry');
  if (backend === 'postgres' && telemetry?.load) {
    const eventsPerSecond = Math.round(telemetry.load.rps * 50);
    out.push({
      target: `telemetry ≥ ${TARGETS.telemetryEventsPerSecond} events/s (batches of 50)`,
      measured: `${eventsPerSecond} events/s`,
      pass: eventsPerSecond >= TARGETS.telemetryEventsPerSecond && failures(telemetry.load) === 0,
    });
  }
  if (backend === 'postgres') {
    const product = rows.filter((r) => r.key !== 'ceiling' && r.load?.proc);
    const peak = Math.max(...product.map((r) => r.load!.proc!.rssPeakMb));
    if (product.length > 0) {
      out.push({
        target: `API RSS ≤ ${TARGETS.apiRssMb} MB under load`,
        measured: `${peak} MB`,
        pass: peak <= TARGETS.apiRssMb,
      });
    }
  }
  return out;
}

export function verdictLines(list: Verdict[]): string {
  return list.map((v) => `- ${v.pass ? 'PASS' : 'FAIL'} — ${v.target}: ${v.measured}`).join('\n');
}
