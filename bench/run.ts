/**
 * `npm run bench`: pgjet against node-postgres, postgres.js, optionally asyncpg, and pgbench as the ceiling,
 * on one PostgreSQL server, side by side in one run.
 *
 * Each driver runs in a child process of its own (one per driver and round, fed one workload at a time), so no
 * driver shares a heap, JIT state or event loop with another. Every round runs each workload's drivers in a rotated
 * order, so slow drift of the machine (thermal, background work, server caches) spreads over all drivers
 * instead of favouring whoever runs first. See bench/README.md for the environment variables.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backgroundPercent, isQuiet, snapshot, waitForQuiet } from './load.js';
import { machineInfo } from './machine.js';
import { pgbenchVersion, runPgbench } from './pgbench.js';
import {
  evaluateTargets,
  ratios,
  summarize,
  toMarkdown,
  toSvg,
  type BenchReport,
  type Contender,
  type RoundResult,
} from './report.js';
import { startBenchServer } from './server.js';
import { dropTables, setupDatabase } from './setup.js';
import { emptyResult, MODES, WORKLOADS, type ModeName, type TrialResult, type TrialSpec, type Workload } from './workloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench', 'results');
const PYTHON = '/usr/bin/python3';
const PROFILES = path.join(RESULTS, 'profiles');

// ---------------------------------------------------------------------------------------------------------
// Configuration

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

function envList(name: string): string[] | undefined {
  const raw = process.env[name];
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

const quick = process.env.BENCH_QUICK === '1';
const config = {
  quick,
  rounds: Math.round(envNumber('BENCH_ROUNDS', quick ? 1 : 3)),
  seconds: envNumber('BENCH_SECONDS', quick ? 1 : 3),
  warmupSeconds: envNumber('BENCH_WARMUP', quick ? 0.2 : 0.3),
  // A full checksum of every Nth result in the timed loop; the validation pass checks every value anyway.
  // Large enough that Python's per-value cost does not inflate asyncpg's CPU figures.
  checkEvery: Math.round(envNumber('BENCH_CHECK_EVERY', 256)),
  tolerance: envNumber('BENCH_REGRESSION_TOLERANCE', 0.1),
  // A trial during which other processes used more than this share of the machine is run again, once, if the
  // machine is quiet by then and the budget below allows.
  retryBackground: envNumber('BENCH_RETRY_BACKGROUND', 30),
  // Seconds per run for coping with other processes: waiting for a quiet machine before trials and re-running
  // disturbed ones. Bounded, so a machine that stays busy cannot stretch the run.
  quietBudgetSeconds: envNumber('BENCH_QUIET_BUDGET', quick ? 5 : 30),
  allModes: process.env.BENCH_MODES === 'all',
};
const onlyWorkloads = envList('BENCH_WORKLOADS');
const onlyDrivers = envList('BENCH_DRIVERS');

const log = (line: string): void => void process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------------------
// Contenders

const CONTENDERS: Contender[] = [
  { id: 'pgjet', driver: 'pgjet', label: 'pgjet', peer: 'pgjet' },
  { id: 'pg/unnamed', driver: 'pg', variant: 'unnamed', label: 'pg (unnamed)', peer: 'pg' },
  { id: 'pg/named', driver: 'pg', variant: 'named', label: 'pg (named)', peer: 'pg' },
  { id: 'pg/unnest', driver: 'pg', variant: 'unnest', label: 'pg unnest (one INSERT … unnest)', peer: 'pg unnest' },
  { id: 'postgres', driver: 'postgres', label: 'postgres.js', peer: 'postgres.js' },
  { id: 'pgjet-pg', driver: 'pgjet-pg', label: 'pgjet/pg (pg face)', peer: 'pgjet/pg' },
  { id: 'asyncpg', driver: 'asyncpg', label: 'asyncpg', peer: 'asyncpg' },
  { id: 'pgbench', driver: 'pgbench', label: 'pgbench (libpq, C)', peer: 'pgbench' },
];

/** Labels that say what each driver does in M6, where they differ in kind. */
function labelFor(c: Contender, w: Workload): string {
  if (w.kind !== 'batch') return c.label;
  switch (c.id) {
    case 'pgjet':
      return 'pgjet executeMany';
    case 'pg/unnamed':
      return 'pg sequential loop, unnamed (in one transaction)';
    case 'pg/named':
      return 'pg sequential loop, named (in one transaction)';
    case 'postgres':
      return 'postgres.js multi-row INSERT helper (different SQL, not a target)';
    case 'asyncpg':
      return 'asyncpg executemany';
    default:
      return c.label;
  }
}

/** Which contenders take part in a workload, and in which modes. */
function plan(w: Workload, available: Set<string>): { contender: Contender; modes: ModeName[] }[] {
  let modes = quick ? (w.quickModes ?? []) : w.modes;
  if (config.allModes && (w.kind === 'query' || w.kind === 'lookup')) {
    modes = (['c1', 'c10', 'pipe'] as ModeName[]).filter((m) => m !== 'pipe' || w.modes.includes('pipe'));
  }
  const out: { contender: Contender; modes: ModeName[] }[] = [];
  for (const c of CONTENDERS) {
    if (!available.has(c.driver)) continue;
    if (c.id === 'pg/unnest' && w.kind !== 'batch') continue;
    // One pg row is enough to show that pg has no COPY; it is skipped without starting a runner.
    if (c.id === 'pg/named' && w.kind === 'copy') continue;
    if (c.driver === 'pgbench') {
      if (w.id === 'M1' && modes.includes('c10')) out.push({ contender: c, modes: ['c10'] });
      continue;
    }
    out.push({ contender: c, modes });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Optional participants

/** asyncpg with Debian's python3-asyncpg/python3-uvloop: installed only when asked for (BENCH_ASYNCPG=1). */
function prepareAsyncpg(): string | undefined {
  if (process.env.BENCH_ASYNCPG !== '1') {
    return 'asyncpg skipped: set BENCH_ASYNCPG=1 to include it (installs Debian python3-asyncpg and python3-uvloop with apt-get)';
  }
  if (!fs.existsSync(PYTHON)) return `asyncpg skipped: ${PYTHON} does not exist`;
  const importable = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import asyncpg'], { stdio: 'ignore', env: pythonEnv() });
      return true;
    } catch {
      return false;
    }
  };
  if (importable()) return undefined;
  log('installing python3-asyncpg and python3-uvloop with apt-get …');
  const apt = (args: string[]): boolean => {
    try {
      execFileSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
      return true;
    } catch {
      return false;
    }
  };
  const packages = ['install', '-y', '--no-install-recommends', 'python3-asyncpg', 'python3-uvloop'];
  if (!apt(packages) && !(apt(['update']) && apt(packages))) {
    return 'asyncpg skipped: apt-get install python3-asyncpg python3-uvloop failed (not root, or no package index)';
  }
  return importable() ? undefined : `asyncpg skipped: installed, but ${PYTHON} cannot import asyncpg`;
}

/** Debian's python must not pick up the pyenv interpreter's paths. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

// ---------------------------------------------------------------------------------------------------------
// Running one trial

function runnerCommand(c: Contender, profileDir: string | undefined): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (c.driver === 'asyncpg') return { cmd: PYTHON, args: [path.join(ROOT, 'bench/runners/asyncpg_runner.py')], env: pythonEnv() };
  // Every JS runner goes through the same tsx loader, so load-time differences do not touch the timed loop.
  // TZ=UTC: pg and postgres.js decode `date` as local midnight; in UTC that is the day pgjet returns.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return {
    cmd: process.execPath,
    args: [...profile, '--import', 'tsx', path.join(ROOT, `bench/runners/${c.driver}.ts`)],
    env: { ...process.env, TZ: 'UTC' },
  };
}

/**
 * BENCH_CPU_PROF=pgjet (or a list of JS drivers) runs those runners under `node --cpu-prof`, one profile per
 * runner process (a driver's round; narrow it with BENCH_WORKLOADS). Each process gets a directory because
 * tsx's loader runs in a worker thread that writes a profile of its own.
 */
function profileDirFor(c: Contender): string | undefined {
  if (!envList('BENCH_CPU_PROF')?.includes(c.driver) || c.driver === 'asyncpg') return undefined;
  const scope = onlyWorkloads && onlyWorkloads.length <= 3 ? onlyWorkloads.join('+') : 'all';
  return path.join(PROFILES, `${c.id.replace(/\//g, '-')}-${scope}-r${round + 1}-${Date.now()}`);
}

/**
 * Keeps the main thread's profile (the largest file: the loader thread is idle most of the time) as
 * `<dir>.cpuprofile` and removes the directory.
 */
function collectProfile(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  const main = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  if (main) fs.renameSync(main, `${dir}.cpuprofile`);
  fs.rmSync(dir, { recursive: true, force: true });
  log(`  profile: ${path.relative(ROOT, `${dir}.cpuprofile`)}`);
}

function failed(c: Contender, w: Workload, modes: ModeName[], error: string): TrialResult[] {
  return modes.map((mode) => emptyResult(c.id, w.id, mode, { error }));
}

const versions: Record<string, string> = {};
/** The round being run, for profile file names. */
let round = 0;

/**
 * One driver's runner process, serving trial after trial over stdin/stdout for one round. A runner that dies
 * or overruns its time fails the trial in hand with the tail of its stderr, and is replaced for the next one.
 */
class Runner {
  readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private exited = false;
  private readonly profileDir: string | undefined;
  private readonly exit: Promise<void>;
  private pending: { results: TrialResult[]; done: (why?: string) => void } | undefined;

  constructor(readonly contender: Contender) {
    this.profileDir = profileDirFor(contender);
    const { cmd, args, env } = runnerCommand(contender, this.profileDir);
    this.child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      let nl: number;
      while ((nl = this.stdout.indexOf('\n')) >= 0) {
        this.consume(this.stdout.slice(0, nl));
        this.stdout = this.stdout.slice(nl + 1);
      }
    });
    // Keep only the tail: it holds the error when a runner dies.
    this.child.stderr.on('data', (d: Buffer) => void (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.stdin.on('error', () => undefined); // a dead runner's closed pipe is reported through 'close'
    this.exit = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `\ncould not start the runner: ${err.message}`;
        this.exited = true;
        this.pending?.done('the runner could not start');
        resolve();
      });
      this.child.on('close', (code, signal) => {
        this.exited = true;
        this.pending?.done(`runner exited (${signal ?? `code ${code}`}) before reporting`);
        if (this.profileDir) collectProfile(this.profileDir);
        resolve();
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  private consume(line: string): void {
    if (line.startsWith('@@RESULT ')) this.pending?.results.push(JSON.parse(line.slice(9)) as TrialResult);
    else if (line.startsWith('@@DONE')) this.pending?.done();
    else if (line.startsWith('@@INFO ')) versions[this.contender.driver] = (JSON.parse(line.slice(7)) as { version: string }).version;
  }

  async run(spec: TrialSpec, w: Workload, modes: ModeName[]): Promise<TrialResult[]> {
    const budgetMs = (modes.length * (config.seconds + config.warmupSeconds + 20) + 60) * 1000;
    return await new Promise<TrialResult[]>((resolve) => {
      const results: TrialResult[] = [];
      const timer = setTimeout(() => {
        this.stderr += `\n(killed after ${budgetMs / 1000} s)`;
        this.child.kill('SIGKILL');
      }, budgetMs);
      this.pending = {
        results,
        done: (why) => {
          clearTimeout(timer);
          this.pending = undefined;
          const missing = modes.filter((m) => !results.some((r) => r.mode === m));
          const detail = this.stderr.trim() ? `: ${this.stderr.trim().slice(-1500)}` : '';
          resolve([...results, ...(missing.length ? failed(this.contender, w, missing, `${why ?? 'no result reported'}${detail}`) : [])]);
        },
      };
      if (this.exited) this.pending.done('the runner is not running');
      else this.child.stdin.write(`${JSON.stringify(spec)}\n`);
    });
  }

  /** Ends the runner (stdin closed: it exits by itself), killing it if it does not within 10 s. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}

/** The live runner per contender for the current round. */
const runners = new Map<string, Runner>();

function runnerFor(c: Contender): Runner {
  let r = runners.get(c.id);
  if (!r || !r.alive) {
    r = new Runner(c);
    runners.set(c.id, r);
  }
  return r;
}

/** Ends every runner: called between rounds, so each round starts with fresh processes. */
async function closeRunners(): Promise<void> {
  await Promise.all([...runners.values()].map((r) => r.close()));
  runners.clear();
}

/** Process ids of the live runners, for the background-load measure. */
function runnerPids(): number[] {
  return [...runners.values()].filter((r) => r.alive && r.child.pid !== undefined).map((r) => r.child.pid as number);
}

/** Skips known before starting a runner: starting a process only to hear "no" would cost the time budget. */
function staticSkip(c: Contender, w: Workload, mode: ModeName): string | undefined {
  if (c.driver === 'pg' && w.kind === 'copy' && c.variant !== 'unnamed') {
    return 'COPY has no statement to name or unnest: pg is measured once, unnamed, with pg-copy-streams';
  }
  if (c.driver === 'pgjet-pg' && w.kind === 'copy') {
    return "pgjet/pg refuses pg-copy-streams (it needs pg's raw socket); its users copy through pgjet's COPY API";
  }
  if (c.driver === 'asyncpg' && MODES[mode].inflight > 1) {
    return 'asyncpg runs one query at a time per connection (another operation is in progress): no pipelined mode';
  }
  return undefined;
}

async function runTrial(c: Contender, w: Workload, allModes: ModeName[], dsn: string): Promise<TrialResult[]> {
  if (c.driver === 'pgbench') return [await runPgbench(dsn, w, config.seconds)];
  const skipped: TrialResult[] = [];
  for (const mode of allModes) {
    const why = staticSkip(c, w, mode);
    if (why !== undefined) skipped.push({ ...failed(c, w, [mode], '')[0], error: undefined, skipped: why });
  }
  const modes = allModes.filter((m) => !skipped.some((r) => r.mode === m));
  if (modes.length === 0) return skipped;
  const spec: TrialSpec = {
    contender: c.id,
    variant: c.variant,
    workload: w,
    modes: modes.map((m) => MODES[m]),
    dsn,
    seconds: config.seconds,
    warmupSeconds: config.warmupSeconds,
    checkEvery: config.checkEvery,
  };
  return [...skipped, ...(await runnerFor(c).run(spec, w, modes))];
}

function describe(r: TrialResult): string {
  if (r.skipped) return `skipped: ${r.skipped}`;
  if (r.error) return `ERROR: ${r.error.split('\n')[0].slice(0, 400)}`;
  const cpu = typeof r.cpuUsPerQuery === 'number' ? r.cpuUsPerQuery.toFixed(0) : '—';
  return `${r.qps.toFixed(0).padStart(7)} q/s  ${r.rowsPerSec.toFixed(0).padStart(9)} rows/s  p50 ${(r.p50Ms ?? NaN).toFixed(2)} ms  p99 ${(r.p99Ms ?? NaN).toFixed(2)} ms  cpu ${cpu} µs/q`;
}

// ---------------------------------------------------------------------------------------------------------
// Checksums across drivers

/**
 * Every driver must produce the same checksum for a workload. The majority value is taken as right and every
 * trial that disagrees is marked invalid (excluded from medians and ratios) and reported loudly.
 */
function crossCheck(trials: RoundResult[]): string[] {
  const problems: string[] = [];
  const byWorkload = new Map<string, RoundResult[]>();
  for (const t of trials) {
    if (t.checksum === '' || t.error || t.skipped) continue;
    byWorkload.set(t.workload, [...(byWorkload.get(t.workload) ?? []), t]);
  }
  for (const [workload, list] of byWorkload) {
    const counts = new Map<string, number>();
    for (const t of list) counts.set(t.checksum, (counts.get(t.checksum) ?? 0) + 1);
    if (counts.size <= 1) continue;
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    for (const t of list.filter((x) => x.checksum !== majority)) {
      t.invalid = `checksum ${t.checksum} differs from the other drivers' ${majority}: it decoded different values`;
      problems.push(`${workload} ${t.mode} ${t.contender} (round ${t.round + 1}): ${t.invalid}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Main

function readReport(file: string): BenchReport | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as BenchReport;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const notes: string[] = [];
  const available = new Set<string>(['pgjet', 'pgjet-pg', 'pg', 'postgres']);
  const asyncpgSkip = prepareAsyncpg();
  if (asyncpgSkip) {
    log(asyncpgSkip);
    notes.push(asyncpgSkip);
  } else available.add('asyncpg');
  const pgbench = pgbenchVersion();
  if (pgbench) available.add('pgbench');
  else notes.push('pgbench skipped: not on PATH (the M1 ceiling marker is optional)');
  if (onlyDrivers) for (const d of [...available]) if (!onlyDrivers.includes(d)) available.delete(d);

  const workloads = WORKLOADS.filter((w) => (!onlyWorkloads || onlyWorkloads.includes(w.id)) && (quick ? (w.quickModes?.length ?? 0) > 0 : true));
  if (workloads.length === 0) throw new Error('no workload selected (check BENCH_WORKLOADS)');

  log(`starting ${process.env.PGJET_BENCH_DSN ? 'the server from PGJET_BENCH_DSN' : 'an embedded PostgreSQL'} …`);
  const server = await startBenchServer();
  let exitCode = 0;
  try {
    const facts = await setupDatabase(server.dsn);
    for (const w of workloads) if (w.id === 'M1') w.rowsPerOp = facts.m1Rows;
    log(`PostgreSQL ${facts.serverVersion}; M1 returns ${facts.m1Rows} rows`);

    const cases = workloads.map((w) => ({ workload: w, entries: plan(w, available) })).filter((c) => c.entries.length > 0);
    const slots = cases.reduce((n, c) => n + c.entries.reduce((k, e) => k + e.modes.length, 0), 0);
    // Measured on the 2-core machine: about 0.8 s per trial beyond its timed part (connections, validation, the
    // last calls in flight), a few seconds per round for starting the runners.
    const estimate = config.rounds * (slots * (config.seconds + config.warmupSeconds + 0.8) + 10) + 15;
    log(`${config.rounds} round(s) × ${slots} trials of ${config.seconds} s: about ${Math.ceil(estimate / 60)} min`);

    const trials: RoundResult[] = [];
    let quietBudgetMs = config.quietBudgetSeconds * 1000;
    /** Runs one trial and tags its results with the background load measured around it. */
    const measured = async (c: Contender, w: Workload, modes: ModeName[]): Promise<TrialResult[]> => {
      if (quietBudgetMs > 0) quietBudgetMs -= await waitForQuiet(20, Math.min(quietBudgetMs, 10_000));
      const before = snapshot(server.postmasterPid(), runnerPids());
      const results = await runTrial(c, w, modes, server.dsn);
      const bg = backgroundPercent(before, snapshot(server.postmasterPid(), runnerPids()));
      return results.map((r) => (bg === undefined ? r : { ...r, backgroundPct: bg }));
    };
    for (round = 0; round < config.rounds; round++) {
      for (let k = 0; k < cases.length; k++) {
        const { workload, entries } = cases[k];
        const shift = (round + k) % entries.length;
        const order = [...entries.slice(shift), ...entries.slice(0, shift)];
        for (const { contender, modes } of order) {
          const t0 = Date.now();
          let results = await measured(contender, workload, modes);
          const took = Date.now() - t0;
          const bg = results[0]?.backgroundPct;
          // Re-running only helps if the disturbance is over: on a machine that stays busy it would only cost time.
          if (bg !== undefined && bg > config.retryBackground && quietBudgetMs >= took && (await isQuiet(20))) {
            log(`  (other processes used ${bg.toFixed(0)}% of the machine during that trial, now quiet: running it again)`);
            const t1 = Date.now();
            const again = await measured(contender, workload, modes);
            quietBudgetMs -= Date.now() - t1;
            if ((again[0]?.backgroundPct ?? Infinity) < bg) results = again;
          }
          for (const r of results) {
            trials.push({ ...r, round });
            const load = r.backgroundPct === undefined || r.skipped ? '' : `  bg ${r.backgroundPct.toFixed(0)}%`;
            log(`[round ${round + 1}/${config.rounds}] ${workload.id.padEnd(8)} ${r.mode.padEnd(4)} ${labelFor(contender, workload).slice(0, 28).padEnd(28)} ${describe(r)}${load}`);
          }
        }
      }
      await closeRunners();
    }

    const mismatches = crossCheck(trials);
    if (mismatches.length > 0) {
      exitCode = 1;
      log('\n' + '!'.repeat(100));
      log('CHECKSUM MISMATCH: drivers decoded different values for the same query. Those trials are excluded:');
      for (const m of mismatches) log(`  ${m}`);
      log('!'.repeat(100) + '\n');
      notes.push(...mismatches.map((m) => `**checksum mismatch**: ${m}`));
    }
    const failures = trials.filter((t) => t.error);
    for (const f of failures) notes.push(`**error** ${f.workload} ${f.mode} ${f.contender} (round ${f.round + 1}): ${f.error}`);
    if (failures.length > 0) exitCode = 1;
    const skips = new Map<string, Set<string>>();
    for (const t of trials.filter((x) => x.skipped)) {
      const key = `${t.contender}: ${t.skipped}`;
      skips.set(key, (skips.get(key) ?? new Set()).add(`${t.workload} ${MODES[t.mode].label.replace(/ \(.*\)/, '')}`));
    }
    for (const [why, where] of skips) notes.push(`skipped ${why} (${[...where].join(', ')})`);
    if (available.has('pg')) {
      notes.push("pg's pipelined mode is not pipelining: pg queues calls made on a busy client and sends each after the previous one completes.");
    }
    notes.push(
      'M6 postgres.js uses its multi-row INSERT helper (one statement, 7,000 parameters): different SQL from executemany, reported but not a target. ' +
        'pg is shown both as a sequential loop (one transaction, the target\'s reference) and as one INSERT … SELECT FROM unnest(arrays).',
    );
    const loads = trials.filter((t) => !t.skipped && t.backgroundPct !== undefined).map((t) => t.backgroundPct as number);
    if (loads.length > 0) {
      const busy = trials.filter((t) => !t.skipped && (t.backgroundPct ?? 0) > config.retryBackground);
      const sorted = [...loads].sort((a, b) => a - b);
      notes.push(
        `Background load (CPU other processes used during a trial, % of the whole machine): median ${sorted[sorted.length >> 1].toFixed(0)}%, ` +
          `max ${sorted[sorted.length - 1].toFixed(0)}%; ${busy.length} of ${loads.length} results above ${config.retryBackground}% ` +
          `even after re-running${busy.length ? ` (${[...new Set(busy.map((t) => `${t.workload} ${t.contender}`))].slice(0, 12).join(', ')})` : ''}. ` +
          'The machine is shared; rotation and medians over rounds absorb part of this, the per-round ratio ranges show the rest.',
      );
    }
    // A JS runner process in V8's back-to-back mark-compact state (bench/README.md) reads up to twice the CPU per
    // query; naming pgjet's trials in it lets a reader tell that state from a change in the driver.
    const counted = trials.filter((t) => !t.skipped && !t.error && t.majorGcs !== undefined);
    if (counted.length > 0) {
      const inRegime = (t: TrialResult): boolean => (t.majorGcs ?? 0) >= 3 * config.seconds;
      const perDriver = [...new Set(counted.map((t) => t.contender))].map((c) => {
        const mine = counted.filter((t) => t.contender === c);
        return `${c} ${mine.filter(inRegime).length} of ${mine.length}`;
      });
      const ours = counted.filter((t) => t.contender === 'pgjet' && inRegime(t));
      notes.push(
        `Mark-compact GCs (JS runners): trials with three or more per second of their timed loop, V8 collecting the whole heap ` +
          `every few hundred ms or faster (bench/README.md): ${perDriver.join(', ')}` +
          (ours.length > 0
            ? `; pgjet's: ${ours.map((t) => `${t.workload} ${MODES[t.mode].label.replace(/ \(.*\)/, '')} round ${t.round + 1} (${t.majorGcs})`).join(', ')}.`
            : '.'),
      );
    }
    notes.push(
      `Validation: every result's row count is checked; a full checksum over every decoded value is computed on each connection's first result ` +
        `(compared across drivers) and on every ${config.checkEvery}th result of the timed loop; M5/M6 are checked by a server-side digest of the written rows.`,
    );

    const contenders = CONTENDERS.map((c) => {
      const batch = workloads.find((w) => w.kind === 'batch');
      return batch && c.id === 'pg/unnest' ? { ...c, label: labelFor(c, batch) } : c;
    });
    const machine = machineInfo(facts.serverVersion, server.embedded ? 'embedded' : 'PGJET_BENCH_DSN', pgbench);
    machine.drivers = { ...versions };
    const summary = summarize(trials, contenders);
    for (const s of summary) {
      const w = workloads.find((x) => x.id === s.workload);
      const c = contenders.find((x) => x.id === s.contender);
      if (w && c) s.label = labelFor(c, w);
    }
    const ratioRows = ratios(trials, contenders);
    const report: BenchReport = {
      version: 1,
      machine,
      config: { rounds: config.rounds, seconds: config.seconds, warmupSeconds: config.warmupSeconds, quick, checkEvery: config.checkEvery, allModes: config.allModes },
      workloads: workloads.map(({ id, title, rowsPerOp, columns }) => ({ id, title, rowsPerOp, columns })),
      contenders,
      trials,
      summary,
      ratios: ratioRows,
      targets: evaluateTargets(trials, ratioRows, workloads),
      notes,
    };

    fs.mkdirSync(RESULTS, { recursive: true });
    // Only a complete default-scope run replaces latest.{md,json,svg} and takes part in the baseline chain; a
    // quick or filtered run (smoke test, profiling) writes latest-quick.json / latest-partial.json (git-ignored)
    // and prints its Markdown, so it cannot clobber the published results.
    const partial = quick || onlyWorkloads !== undefined || onlyDrivers !== undefined || process.env.BENCH_CPU_PROF !== undefined;
    const latestJson = path.join(RESULTS, 'latest.json');
    const previousJson = path.join(RESULTS, 'previous.json');
    const baselineJson = path.join(RESULTS, 'baseline.json');
    // The run before this one becomes previous.json; the committed baseline.json is what "no regression" reads.
    if (!partial && fs.existsSync(latestJson)) fs.copyFileSync(latestJson, previousJson);
    const baselineReport = readReport(baselineJson);
    const previousReport = readReport(partial ? latestJson : previousJson);
    // A quick run's numbers are too rough to judge a full run by (and the other way round).
    const comparable = (r: BenchReport | undefined): BenchReport | undefined => (r && r.config.quick === quick ? r : undefined);
    const baseline = comparable(baselineReport)
      ? { label: 'bench/results/baseline.json (committed)', report: baselineReport as BenchReport }
      : comparable(previousReport)
        ? { label: `bench/results/${partial ? 'latest' : 'previous'}.json (the previous full run; no comparable baseline.json)`, report: previousReport as BenchReport }
        : undefined;
    const markdown = toMarkdown(report, baseline, config.tolerance);
    if (partial) {
      const file = path.join(RESULTS, quick ? 'latest-quick.json' : 'latest-partial.json');
      fs.writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
      log(`partial run (quick or filtered): results in ${path.relative(ROOT, file)}; latest.{md,json,svg} left as they were`);
    } else {
      fs.writeFileSync(latestJson, `${JSON.stringify(report, null, 1)}\n`);
      fs.writeFileSync(path.join(RESULTS, 'latest.md'), `${markdown}\n`);
      fs.writeFileSync(path.join(RESULTS, 'latest.svg'), `${toSvg(report)}\n`);
      log('results: bench/results/latest.{md,json,svg}');
    }
    if (process.env.BENCH_SAVE_BASELINE === '1') {
      if (partial) log('not saving a baseline from a quick or filtered run: it is not comparable with a full one');
      else {
        fs.writeFileSync(baselineJson, `${JSON.stringify(report, null, 1)}\n`);
        log(`baseline written to ${path.relative(ROOT, baselineJson)}`);
      }
    }
    process.stdout.write(`${markdown}\n`);
    log(`${((Date.now() - started) / 60000).toFixed(1)} min in all`);
    if (!server.embedded) await dropTables(server.dsn);
  } finally {
    await closeRunners();
    await server.stop();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
