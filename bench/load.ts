/**
 * How much of the machine something other than the benchmark used during a trial. The benchmark shares its 2
 * cores with whatever else runs (other people's test suites, compilers), and a trial disturbed that way is not
 * a measurement of the driver. Linux only; elsewhere every reading is undefined.
 *
 * background = machine busy time − (this process, its live runners and its reaped children: runners, pgbench)
 *              − (the postmaster and its reaped children: the backends), as a share of all cores' time.
 * Backends are reaped when their connection closes, which each runner does before it exits, so their CPU is
 * counted by then. Long-lived server helpers (checkpointer, autovacuum) count as background: small.
 */
import fs from 'node:fs';

export interface CpuSnapshot {
  busy: number;
  total: number;
  self: number;
  server: number;
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu user nice system idle iowait irq softirq steal …
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq + (steal || 0);
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/** utime + stime + cutime + cstime of a process, in clock ticks; 0 when it cannot be read. */
function processTicks(pid: number | string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime is field 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

/**
 * `runnerPids`: the live runner processes, whose CPU is not yet in this process's reaped-children time (a
 * runner that exits between two snapshots moves from one term to the other, so the difference stays right).
 */
export function snapshot(serverPid: number | undefined, runnerPids: number[] = []): CpuSnapshot | undefined {
  const m = machineTicks();
  if (!m) return undefined;
  const runners = runnerPids.reduce((sum, pid) => sum + processTicks(pid), 0);
  return { ...m, self: processTicks('self') + runners, server: serverPid === undefined ? 0 : processTicks(serverPid) };
}

/** Percentage of all cores' time used by other processes between two snapshots. */
export function backgroundPercent(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): number | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const foreign = b.busy - a.busy - (b.self - a.self) - (b.server - a.server);
  return Math.max(0, (100 * foreign) / (b.total - a.total));
}

/** Share of the machine in use right now (over `ms`), as a percentage; undefined off Linux. */
async function busyPercent(ms: number): Promise<number | undefined> {
  const a = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineTicks();
  if (!a || !b || b.total <= a.total) return undefined;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}

/** True when the machine is below `thresholdPct` busy over the next tenth of a second (or off Linux). */
export async function isQuiet(thresholdPct: number): Promise<boolean> {
  const busy = await busyPercent(100);
  return busy === undefined || busy < thresholdPct;
}

/**
 * Between trials the benchmark itself is idle (the server has no clients), so whatever keeps the machine busy
 * is someone else's work. Waits, up to `maxMs`, until the machine is below `thresholdPct` busy; returns the
 * milliseconds waited, so the caller can keep a budget.
 */
export async function waitForQuiet(thresholdPct: number, maxMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const busy = await busyPercent(100);
    const waited = Date.now() - start;
    if (busy === undefined || busy < thresholdPct || waited >= maxMs) return waited;
  }
}
