// `npx tsx bench/pgliteStalls.ts [seconds] [-c name=value ...]` — PGlite alone, no HTTP: the ceiling's write (1 INSERT
// + 1 SELECT of the session's last rows, one transaction) in a tight loop on a fresh data directory, printing every
// operation slower than 100 ms with the WAL position it ended at, so a stall can be matched to what the store was
// doing (a WAL segment boundary every 16 MB, a checkpoint). Extra `-c` settings are passed to PGlite's postgres.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';

const argv = process.argv.slice(2);
const seconds = Number(argv[0] ?? 30);
const extra: string[] = [];
for (let i = 1; i < argv.length; i++) if (argv[i] === '-c' && argv[i + 1]) extra.push('-c', argv[++i]!);

const dir = mkdtempSync(join(tmpdir(), 'comerix-stalls-'));
const db = await PGlite.create({ dataDir: dir, startParams: [...PGlite.defaultStartParams, ...extra] });
await db.exec(`create table m (id bigint generated always as identity primary key, session_id uuid not null,
  text text not null, created_at timestamptz not null default now());
  create index m_session on m (session_id, id);`);
const SEGMENT = 16 * 1024 * 1024;
const lsnBytes = (lsn: string) => {
  const [hi, lo] = lsn.split('/') as [string, string];
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
};
const lsn = async () => lsnBytes((await db.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]!.l);

const started = performance.now();
let ops = 0;
let worst = 0;
const stalls: string[] = [];
const perSecond: number[] = [];
let segment = Math.floor((await lsn()) / SEGMENT);
let segmentsCrossed = 0;
let stallsAtBoundary = 0;
const checkpointAt = async () =>
  (await db.query<{ l: string }>('select checkpoint_lsn::text as l from pg_control_checkpoint()')).rows[0]!.l;
let checkpoint = await checkpointAt();
let checkpoints = 0;
let stallsAtCheckpoint = 0;
while (performance.now() - started < seconds * 1000) {
  const t0 = performance.now();
  const session = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.query('insert into m (session_id, text) values ($1, $2) returning id', [
      session,
      'hello there '.repeat(8),
    ]);
    await tx.query('select id, text from m where session_id = $1 order by id desc limit 10', [session]);
  });
  const ms = performance.now() - t0;
  ops++;
  const second = Math.floor((performance.now() - started) / 1000);
  perSecond[second] = (perSecond[second] ?? 0) + 1;
  if (ms > worst) worst = ms;
  const now = await lsn();
  const seg = Math.floor(now / SEGMENT);
  const crossed = seg !== segment;
  if (crossed) segmentsCrossed++;
  segment = seg;
  // The checkpoint position is read after slow operations and every 200th one, so a checkpoint is seen near its time.
  let checkpointed = false;
  if (ms > 100 || ops % 200 === 0) {
    const now = await checkpointAt();
    checkpointed = now !== checkpoint;
    if (checkpointed) checkpoints++;
    checkpoint = now;
  }
  if (ms > 100) {
    if (crossed) stallsAtBoundary++;
    if (checkpointed) stallsAtCheckpoint++;
    const what = [crossed ? 'entered a new WAL segment' : '', checkpointed ? 'a checkpoint ran' : ''].filter(Boolean);
    const at = ((performance.now() - started) / 1000).toFixed(1);
    stalls.push(`${at} s: ${ms.toFixed(0)} ms${what.length > 0 ? ` (${what.join(', ')})` : ''}`);
  }
}
const rates = perSecond.map((n) => n ?? 0);
const edge = Math.max(1, Math.floor(rates.length / 5));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(
  `${JSON.stringify(
    {
      settings: extra.filter((x) => x !== '-c'),
      ops,
      opsPerSecond: Math.round(ops / seconds),
      firstVsLast: `${Math.round(avg(rates.slice(0, edge)))} → ${Math.round(avg(rates.slice(-edge - 1, -1)))} ops/s`,
      worstMs: Math.round(worst),
      segmentsCrossed,
      stallsOver100ms: stalls.length,
      stallsAtBoundary,
      checkpoints,
      stallsAtCheckpoint,
      stalls: stalls.slice(0, 20),
    },
    null,
    2,
  )}\n`,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
