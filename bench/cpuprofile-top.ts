// Self time of a V8 .cpuprofile (node --cpu-prof), aggregated by function and by module, so the hot spots of a bench
// run read as a short table. Usage: npx tsx bench/cpuprofile-top.ts /tmp/prof/*.cpuprofile [--top=30] [--from=µs --to=µs]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups a script URL the way a reader thinks of it: the npm package, our own source file, or the runtime. */
function moduleOf(url: string): string {
  if (!url) return '(native / VM)';
  if (url.startsWith('wasm://')) return '(wasm: the PostgreSQL engine inside PGlite)';
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

/** The file inside its package or our tree, to tell kysely's compiler from its result parser. */
function fileOf(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/(?:esm|cjs)\/|lib\/)?(.*)$/.exec(url);
  return pkg ? `${pkg[1]}/${pkg[2]}` : moduleOf(url);
}

/** Not work of the process: waiting in epoll, or the VM's own bookkeeping of the profile. */
const IDLE = new Set(['(idle)', '(program)']);

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '30' },
      // Only samples in [from, to): microseconds of CLOCK_MONOTONIC, the clock of the profile's startTime and of
      // process.hrtime.bigint() / 1000n in any process on the machine — so a load script can print its window.
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const top = Number(values.top);
  const from = values.from ? Number(values.from) : Number.NEGATIVE_INFINITY;
  const to = values.to ? Number(values.to) : Number.POSITIVE_INFINITY;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    // timeDeltas[i] is the time since the previous sample, attributed to the function on top of the stack at sample i.
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      at += us;
      if (at < from || at >= to) return;
      const frame = nodes.get(id)!.callFrame;
      const name = frame.functionName || '(anonymous)';
      total += us;
      if (IDLE.has(name)) {
        idle += us;
        return;
      }
      const fn = `${name}  ${frame.url ? `${fileOf(frame.url)}:${frame.lineNumber + 1}` : '(native)'}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      const mod = name === '(garbage collector)' ? name : frame.url ? moduleOf(frame.url) : `(native) ${name}`;
      byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    });
  }
  const busy = total - idle;
  process.stdout.write(
    `profiled ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s\n`,
  );
  const print = (title: string, map: Map<string, number>) => {
    process.stdout.write(`\n${title} (self time, % of busy)\n`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(
        `${((us / busy) * 100).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
      );
    }
  };
  print('by module (native functions by name)', byModule);
  print('by function', byFunction);
  process.stdout.write(
    '\nNote: samples are wall-clock. A native syscall such as writev also collects the time the thread was descheduled\n' +
      'inside it (on a busy 2-core box, a loopback write to PostgreSQL wakes its backend, which can preempt node).\n',
  );
}

main();
