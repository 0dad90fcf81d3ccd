import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (100 on every Linux we run on). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStats {
  /** Server CPU over the run, in % of one core (200 % = both cores of this box). */
  cpuPercent: number;
  /** The kernel-mode part of cpuPercent (socket syscalls: loopback TCP to PostgreSQL and to autocannon). */
  sysPercent: number;
  /** Times the kernel took the CPU away from the server while it could still run (nonvoluntary_ctxt_switches). */
  involuntarySwitches: number;
  /** Peak of VmRSS sampled every 100 ms during the run, in MB. */
  rssPeakMb: number;
  /** VmHWM at the end (the kernel's own peak since process start), in MB: a cross-check of the sampled peak. */
  rssHwmMb: number;
  /**
   * CPU of the PostgreSQL backends serving the bench database (its pg_stat_activity pids at the start of the run), in %
   * of one core; undefined on PGlite. Other databases of the cluster (other people's tests) are not counted, nor are
   * the cluster's shared WAL writer and checkpointer.
   */
  dbCpuPercent?: number;
  /** CPU of this process (autocannon, the load generator) over the run, in % of one core. */
  clientCpuPercent: number;
  /**
   * CPU used by everything else on the machine during the run (other people's tests, builds…), in % of one core.
   * The box has 2 cores, so anything well above ~10 % here means the row was measured under contention.
   */
  otherCpuPercent: number;
}

/** Busy ticks of the whole machine (all cores): user + nice + system + irq + softirq + steal. */
function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return user + nice + system + irq + softirq + steal;
}

/** utime + stime of one process, in ticks; undefined once it is gone. */
function cpuTicks(pid: number | string): { comm: string; ticks: number; sys: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm sits in parentheses and may itself contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) is fields[12].
    return { comm, ticks: Number(fields[11]) + Number(fields[12]), sys: Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Summed CPU ticks of these processes (the ones still alive). */
function ticksOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuTicks(pid)?.ticks ?? 0), 0);
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM' | 'nonvoluntary_ctxt_switches'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples one server process while a load run lasts. CPU is the utime+stime delta over wall time (the same method as
 * notes/node20-stack-findings.md §3); RSS is polled because the API's memory target is about the peak under load.
 */
export function startProcSampler(pid: number, options: { dbPids?: number[] }): { stop(): ProcStats } {
  const dbPids = options.dbPids;
  const t0 = process.hrtime.bigint();
  const start = cpuTicks(pid);
  const cpu0 = start?.ticks ?? 0;
  const sys0 = start?.sys ?? 0;
  const switches0 = statusKb(pid, 'nonvoluntary_ctxt_switches');
  const db0 = dbPids ? ticksOf(dbPids) : 0;
  const client0 = process.cpuUsage();
  const busy0 = machineBusyTicks();
  let rssPeakKb = statusKb(pid, 'VmRSS');
  const timer = setInterval(() => {
    rssPeakKb = Math.max(rssPeakKb, statusKb(pid, 'VmRSS'));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      rssPeakKb = Math.max(rssPeakKb, statusKb(pid, 'VmRSS'));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const percentOfTicks = (ticks: number) => round1((ticks / CLK_TCK / seconds) * 100);
      const client = process.cpuUsage(client0);
      const clientTicks = ((client.user + client.system) / 1e6) * CLK_TCK;
      const end = cpuTicks(pid);
      const serverTicks = (end?.ticks ?? cpu0) - cpu0;
      const dbTicks = dbPids ? ticksOf(dbPids) - db0 : 0;
      const otherTicks = Math.max(0, machineBusyTicks() - busy0 - serverTicks - dbTicks - clientTicks);
      return {
        cpuPercent: percentOfTicks(serverTicks),
        sysPercent: percentOfTicks((end?.sys ?? sys0) - sys0),
        involuntarySwitches: statusKb(pid, 'nonvoluntary_ctxt_switches') - switches0,
        rssPeakMb: round1(rssPeakKb / 1024),
        rssHwmMb: round1(statusKb(pid, 'VmHWM') / 1024),
        ...(dbPids ? { dbCpuPercent: percentOfTicks(dbTicks) } : {}),
        clientCpuPercent: percentOfTicks(clientTicks),
        otherCpuPercent: percentOfTicks(otherTicks),
      };
    },
  };
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The box is shared (other sessions run tests and builds on the same 2 cores). Before a timed run, wait — at most
 * `maxWaitMs` — until the machine is nearly idle, so a row is not measured in the middle of someone's test suite.
 * Returns the busy % of the last 500 ms window (of one core; the bench itself is idle between runs).
 */
export async function waitForQuiet(maxWaitMs: number, log: (line: string) => void): Promise<number> {
  const started = Date.now();
  const deadline = started + Math.min(maxWaitMs, quietBudget.remainingMs);
  let warned = false;
  for (;;) {
    const before = machineBusyTicks();
    await new Promise((r) => setTimeout(r, 500));
    const busyPercent = ((machineBusyTicks() - before) / CLK_TCK / 0.5) * 100;
    if (busyPercent < QUIET_PERCENT || Date.now() > deadline) {
      quietBudget.remainingMs = Math.max(0, quietBudget.remainingMs - (Date.now() - started));
      if (warned)
        log(`    machine ${busyPercent < QUIET_PERCENT ? 'quiet again' : `still busy (${Math.round(busyPercent)} %)`}`);
      return round1(busyPercent);
    }
    if (!warned)
      log(
        `    machine busy (${Math.round(busyPercent)} % of a core used by others), waiting up to ${Math.round((deadline - started) / 1000)} s`,
      );
    warned = true;
  }
}

/** What all waits of one bench run may spend together, so waiting never breaks the run's time limit. */
export const quietBudget = { remainingMs: 60_000 };

/** Busy % of one core below which the machine counts as quiet. */
const QUIET_PERCENT = 15;
/** Other processes' CPU during a run above which its row is flagged as measured under contention. */
export const CONTENDED_PERCENT = 25;
