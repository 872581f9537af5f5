/**
 * Turns the raw trials into what the benchmark publishes: medians per workload × mode × driver, the ratios
 * pgjet/peer per round (median with min–max: a single ratio of medians would hide how much rounds disagree),
 * issue 5's targets evaluated from those ratios, the comparison with the committed baseline, and the
 * Markdown table, JSON and SVG chart.
 */
import type { MachineInfo } from './machine.js';
import { MODES, type ModeName, type TrialResult, type Workload } from './workloads.js';

/** A trial result tagged with its round; `invalid` is set when its checksum disagreed with the majority. */
export interface RoundResult extends TrialResult {
  round: number;
  invalid?: string;
}

/** A participant: one driver in one variant. Peers group variants whose faster one counts (pg). */
export interface Contender {
  id: string;
  driver: 'pgjet' | 'pgjet-pg' | 'pg' | 'postgres' | 'asyncpg' | 'pgbench';
  variant?: string;
  label: string;
  peer: string;
}

export interface Summary {
  workload: string;
  mode: ModeName;
  contender: string;
  label: string;
  peer: string;
  /** Rounds that produced a valid measurement. */
  rounds: number;
  qps: number;
  rowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerQuery: number;
  /** Median share of the machine other processes used during its trials (Linux), NaN when unknown. */
  backgroundPct: number;
  /** The faster variant of its peer group (pg: unnamed or named), by median q/s. */
  best: boolean;
  skipped?: string;
  error?: string;
}

/** Median and spread of per-round ratios. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface RatioRow {
  workload: string;
  mode: ModeName;
  peer: string;
  /** pgjet q/s ÷ peer q/s: above 1 pgjet is faster. */
  qps?: Spread;
  /** pgjet CPU per query ÷ peer's: below 1 pgjet is cheaper. */
  cpu?: Spread;
}

export interface TargetRow {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'n/a';
}

export interface BenchReport {
  version: 1;
  machine: MachineInfo;
  config: { rounds: number; seconds: number; warmupSeconds: number; quick: boolean; checkEvery: number; allModes: boolean };
  workloads: Pick<Workload, 'id' | 'title' | 'rowsPerOp' | 'columns'>[];
  contenders: Contender[];
  trials: RoundResult[];
  summary: Summary[];
  ratios: RatioRow[];
  targets: TargetRow[];
  notes: string[];
}

/** The synthetic peer "the faster of pg and postgres.js", per round: issue 5's "≥ the faster" target. */
export const BEST_JS_PEER = 'best of pg, postgres.js';
/** pgjet's node-postgres face, timed through the same adapter as pg: pgjet ÷ it is the face's overhead. */
export const FACE_PEER = 'pgjet/pg';
const PEER_ORDER = ['pg', 'postgres.js', 'asyncpg', 'pgbench', 'pg unnest', BEST_JS_PEER, FACE_PEER];

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function spread(values: number[]): Spread | undefined {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return undefined;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

const num = (x: number | null | undefined): number => (typeof x === 'number' ? x : NaN);
const okTrial = (t: RoundResult): boolean => !t.skipped && !t.error && !t.invalid && t.queries > 0;

/** Medians over rounds per workload × mode × contender. */
export function summarize(trials: RoundResult[], contenders: Contender[]): Summary[] {
  const byKey = new Map<string, RoundResult[]>();
  for (const t of trials) {
    const key = `${t.workload}\u0000${t.mode}\u0000${t.contender}`;
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  const out: Summary[] = [];
  for (const list of byKey.values()) {
    const first = list[0];
    const c = contenders.find((x) => x.id === first.contender);
    const ok = list.filter(okTrial);
    const failed = list.find((t) => t.error || t.invalid);
    out.push({
      workload: first.workload,
      mode: first.mode,
      contender: first.contender,
      label: c?.label ?? first.contender,
      peer: c?.peer ?? first.contender,
      rounds: ok.length,
      qps: median(ok.map((t) => num(t.qps))),
      rowsPerSec: median(ok.map((t) => num(t.rowsPerSec))),
      p50Ms: median(ok.map((t) => num(t.p50Ms)).filter(Number.isFinite)),
      p99Ms: median(ok.map((t) => num(t.p99Ms)).filter(Number.isFinite)),
      cpuUsPerQuery: median(ok.map((t) => num(t.cpuUsPerQuery)).filter(Number.isFinite)),
      backgroundPct: median(ok.map((t) => num(t.backgroundPct)).filter(Number.isFinite)),
      best: false,
      skipped: ok.length === 0 ? list.find((t) => t.skipped)?.skipped : undefined,
      error: failed ? (failed.error ?? failed.invalid) : undefined,
    });
  }
  // Mark the faster variant in each peer group (pg's unnamed vs named).
  const groups = new Map<string, Summary[]>();
  for (const s of out) {
    const key = `${s.workload}\u0000${s.mode}\u0000${s.peer}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const g of groups.values()) {
    const ranked = g.filter((s) => s.rounds > 0).sort((a, b) => b.qps - a.qps);
    if (ranked.length > 0) ranked[0].best = true;
  }
  return out;
}

/**
 * Per round, the peer's q/s is the best of its variants and its CPU per query the lowest (both in the
 * peer's favour); the ratio pgjet/peer is taken per round, then its median and range over rounds.
 */
export function ratios(trials: RoundResult[], contenders: Contender[]): RatioRow[] {
  const peerOf = new Map(contenders.map((c) => [c.id, c.peer]));
  // round → workload|mode → peer → {qps, cpu}
  const table = new Map<string, Map<string, { qps: number; cpu: number }>>();
  for (const t of trials.filter(okTrial)) {
    const peer = peerOf.get(t.contender) ?? t.contender;
    const key = `${t.round}\u0000${t.workload}\u0000${t.mode}`;
    const peers = table.get(key) ?? new Map<string, { qps: number; cpu: number }>();
    table.set(key, peers);
    const prev = peers.get(peer);
    const cpu = num(t.cpuUsPerQuery);
    peers.set(peer, {
      qps: Math.max(prev?.qps ?? 0, t.qps),
      cpu: Math.min(prev?.cpu ?? Infinity, Number.isFinite(cpu) ? cpu : Infinity),
    });
    if (peer === 'pg' || peer === 'postgres.js') {
      const best = peers.get(BEST_JS_PEER);
      peers.set(BEST_JS_PEER, {
        qps: Math.max(best?.qps ?? 0, t.qps),
        cpu: Math.min(best?.cpu ?? Infinity, Number.isFinite(cpu) ? cpu : Infinity),
      });
    }
  }
  const collected = new Map<string, { workload: string; mode: ModeName; peer: string; qps: number[]; cpu: number[] }>();
  for (const [key, peers] of table) {
    const [, workload, mode] = key.split('\u0000');
    const mine = peers.get('pgjet');
    if (!mine) continue;
    for (const [peer, v] of peers) {
      if (peer === 'pgjet') continue;
      const k = `${workload}\u0000${mode}\u0000${peer}`;
      const row = collected.get(k) ?? { workload, mode: mode as ModeName, peer, qps: [], cpu: [] };
      collected.set(k, row);
      row.qps.push(mine.qps / v.qps);
      if (Number.isFinite(mine.cpu) && Number.isFinite(v.cpu) && v.cpu > 0) row.cpu.push(mine.cpu / v.cpu);
    }
  }
  return [...collected.values()].map((r) => ({ workload: r.workload, mode: r.mode, peer: r.peer, qps: spread(r.qps), cpu: spread(r.cpu) }));
}

function findRatio(rows: RatioRow[], workload: string, mode: ModeName, peer: string): RatioRow | undefined {
  return rows.find((r) => r.workload === workload && r.mode === mode && r.peer === peer);
}

const fmtRatio = (s: Spread | undefined): string =>
  s === undefined ? '—' : s.n > 1 ? `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : `${s.median.toFixed(2)}×`;

/** Issue 5's targets, each checked against the median ratio (the range is shown beside it). */
export function evaluateTargets(trials: RoundResult[], rows: RatioRow[], workloads: Workload[]): TargetRow[] {
  const out: TargetRow[] = [];
  const has = (id: string): boolean => workloads.some((w) => w.id === id);
  const check = (target: string, s: Spread | undefined, ok: (x: number) => boolean, extra = ''): void => {
    out.push({
      target,
      measured: s === undefined ? 'not measured' : `${fmtRatio(s)}${extra}`,
      status: s === undefined ? 'n/a' : ok(s.median) ? 'met' : 'missed',
    });
  };

  // Geometric mean over M1–M4 and M7 vs asyncpg at c=10, per round.
  const geoIds = ['M1', 'M2', 'M3', 'M4', 'M7'].filter(has);
  const rounds = [...new Set(trials.map((t) => t.round))];
  const perRound: number[] = [];
  for (const round of rounds) {
    const logs: number[] = [];
    for (const id of geoIds) {
      const mine = trials.find((t) => t.round === round && t.workload === id && t.mode === 'c10' && t.contender === 'pgjet' && okTrial(t));
      const peer = trials.find((t) => t.round === round && t.workload === id && t.mode === 'c10' && t.contender === 'asyncpg' && okTrial(t));
      if (mine && peer) logs.push(Math.log(mine.qps / peer.qps));
    }
    if (logs.length === geoIds.length && logs.length > 0) perRound.push(Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length));
  }
  check(`q/s at c=10, geometric mean of ${geoIds.join(', ')}: ≥ 1.0× asyncpg`, spread(perRound), (x) => x >= 1.0);

  for (const w of workloads) {
    if (w.kind === 'batch') continue; // M6 has its own targets; postgres.js's multi-row INSERT is not one
    const mode: ModeName = w.modes.includes('c10') ? 'c10' : w.modes[0];
    check(`${w.id} q/s at ${MODES[mode].label}: ≥ the faster of pg and postgres.js`, findRatio(rows, w.id, mode, BEST_JS_PEER)?.qps, (x) => x >= 1.0);
  }
  if (has('M1')) check('M1 q/s at c=10: ≥ 0.90× pgbench', findRatio(rows, 'M1', 'c10', 'pgbench')?.qps, (x) => x >= 0.9);

  for (const w of workloads.filter((x) => /^(M[1-4]|W1)/.test(x.id))) {
    const mode: ModeName = w.modes.includes('c10') ? 'c10' : w.modes[0];
    check(`${w.id} client CPU/query: ≤ asyncpg's`, findRatio(rows, w.id, mode, 'asyncpg')?.cpu, (x) => x <= 1.0);
    check(`${w.id} client CPU/query: ≤ 0.33× pg's`, findRatio(rows, w.id, mode, 'pg')?.cpu, (x) => x <= 0.33);
  }
  for (const id of ['M7', 'W2'].filter(has)) {
    check(`${id} q/s at c=10: ≥ 1.2× pg`, findRatio(rows, id, 'c10', 'pg')?.qps, (x) => x >= 1.2);
    check(`${id} q/s at c=1: ≥ 1.2× pg`, findRatio(rows, id, 'c1', 'pg')?.qps, (x) => x >= 1.2);
    check(`${id} q/s pipelined: ≥ 2× pg`, findRatio(rows, id, 'pipe', 'pg')?.qps, (x) => x >= 2.0);
  }
  // The pg face (issue 15): its q/s against pg's best variant and against pgjet's own API, per round.
  const faceRatio = (id: string, mode: ModeName, over: (round: number) => number | undefined): Spread | undefined => {
    const perRoundRatio: number[] = [];
    for (const round of rounds) {
      const face = trials.find((t) => t.round === round && t.workload === id && t.mode === mode && t.contender === 'pgjet-pg' && okTrial(t));
      const base = over(round);
      if (face && base) perRoundRatio.push(face.qps / base);
    }
    return spread(perRoundRatio);
  };
  const qpsOf = (round: number, id: string, mode: ModeName, contenders: string[]): number | undefined => {
    const list = trials.filter((t) => t.round === round && t.workload === id && t.mode === mode && contenders.includes(t.contender) && okTrial(t));
    return list.length === 0 ? undefined : Math.max(...list.map((t) => t.qps));
  };
  if (trials.some((t) => t.contender === 'pgjet-pg')) {
    for (const id of ['M1', 'M2', 'M3', 'M4', 'M7'].filter(has)) {
      if (/^M[1-4]$/.test(id)) check(`${id} pgjet/pg q/s at c=10: ≥ 2× pg`, faceRatio(id, 'c10', (r) => qpsOf(r, id, 'c10', ['pg/unnamed', 'pg/named'])), (x) => x >= 2);
      else check(`${id} pgjet/pg q/s at c=10: ≥ 1.2× pg`, faceRatio(id, 'c10', (r) => qpsOf(r, id, 'c10', ['pg/unnamed', 'pg/named'])), (x) => x >= 1.2);
      check(`${id} pgjet/pg q/s at c=10: within 15% of pgjet's own API`, faceRatio(id, 'c10', (r) => qpsOf(r, id, 'c10', ['pgjet'])), (x) => x >= 0.85);
    }
  }
  if (has('M6')) {
    check("M6 rows/s: ≥ 10× pg's sequential insert loop", findRatio(rows, 'M6', 'c1', 'pg')?.qps, (x) => x >= 10);
    check("M6 rows/s: ≥ 1.0× asyncpg's executemany", findRatio(rows, 'M6', 'c1', 'asyncpg')?.qps, (x) => x >= 1.0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

const group = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function fmtCount(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 100 ? group(x) : x >= 10 ? group(x, 1) : group(x, 2);
}

function fmtMs(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 100 ? group(x) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function fmtDelta(now: number, before: number): string {
  if (!Number.isFinite(now) || !Number.isFinite(before) || before === 0) return '—';
  const d = (now / before - 1) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`;
}

const modeOrder: ModeName[] = ['c1', 'c10', 'pipe'];

function sortedKeys(report: BenchReport): { workload: string; mode: ModeName }[] {
  const seen = new Set<string>();
  const keys: { workload: string; mode: ModeName }[] = [];
  for (const w of report.workloads) {
    for (const mode of modeOrder) {
      if (report.summary.some((s) => s.workload === w.id && s.mode === mode) && !seen.has(`${w.id}${mode}`)) {
        seen.add(`${w.id}${mode}`);
        keys.push({ workload: w.id, mode });
      }
    }
  }
  return keys;
}

/** The peers present in the ratios, in a fixed order. */
function peersPresent(report: BenchReport): string[] {
  return PEER_ORDER.filter((p) => report.ratios.some((r) => r.peer === p));
}

interface BaselineDelta {
  workload: string;
  mode: ModeName;
  qpsBefore: number;
  qpsNow: number;
  cpuBefore: number;
  cpuNow: number;
  ratioBefore?: number;
  ratioNow?: number;
  ok: boolean;
}

/**
 * Compares pgjet with the baseline per workload × mode. The verdict uses pgjet's ratio against the faster of
 * pg and postgres.js (measured in the same run, so it survives a faster or slower machine) and falls back to
 * raw q/s when no ratio exists; `tolerance` absorbs round-to-round noise.
 */
export function compareBaseline(now: BenchReport, before: BenchReport, tolerance: number): BaselineDelta[] {
  const out: BaselineDelta[] = [];
  for (const { workload, mode } of sortedKeys(now)) {
    const a = before.summary.find((s) => s.workload === workload && s.mode === mode && s.contender === 'pgjet');
    const b = now.summary.find((s) => s.workload === workload && s.mode === mode && s.contender === 'pgjet');
    if (!a || !b || a.rounds === 0 || b.rounds === 0) continue;
    const ra = findRatio(before.ratios, workload, mode, BEST_JS_PEER)?.qps?.median;
    const rb = findRatio(now.ratios, workload, mode, BEST_JS_PEER)?.qps?.median;
    const ok = ra !== undefined && rb !== undefined ? rb >= ra * (1 - tolerance) : b.qps >= a.qps * (1 - tolerance);
    out.push({ workload, mode, qpsBefore: a.qps, qpsNow: b.qps, cpuBefore: a.cpuUsPerQuery, cpuNow: b.cpuUsPerQuery, ratioBefore: ra, ratioNow: rb, ok });
  }
  return out;
}

export function toMarkdown(
  report: BenchReport,
  baseline: { label: string; report: BenchReport } | undefined,
  tolerance: number,
): string {
  const L: string[] = [];
  const m = report.machine;
  const cfg = report.config;
  L.push('# pgjet benchmark');
  L.push('');
  L.push(
    `${cfg.quick ? '**Quick mode** (smoke test, not for publishing). ' : ''}${cfg.rounds} round(s), ${cfg.seconds} s per trial after a ${cfg.warmupSeconds} s warm-up; ` +
      'drivers interleaved in rotating order, each in its own process. Values are medians over rounds; ratios are ' +
      'the **median of per-round ratios pgjet/peer, with min–max over rounds**.',
  );
  L.push('');
  L.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres} (${m.server}, same machine, over TCP 127.0.0.1). ` +
      `Drivers: ${Object.values(m.drivers).join('; ') || '—'}${m.pgbench ? `; ${m.pgbench}` : ''}. ${m.date}.`,
  );
  L.push('');

  // Ratios first: they are the point of the exercise.
  const peers = peersPresent(report);
  const keys = sortedKeys(report);
  if (peers.length > 0) {
    L.push('## pgjet q/s ÷ peer q/s (> 1: pgjet faster)');
    L.push('');
    L.push(`| workload | mode | pgjet q/s | ${peers.map((p) => `vs ${p}`).join(' | ')} |`);
    L.push(`|---|---|---:|${peers.map(() => '---:').join('|')}|`);
    for (const { workload, mode } of keys) {
      const mine = report.summary.find((s) => s.workload === workload && s.mode === mode && s.contender === 'pgjet');
      const cells = peers.map((p) => fmtRatio(findRatio(report.ratios, workload, mode, p)?.qps));
      const mineText = mine === undefined ? '—' : mine.rounds > 0 ? fmtCount(mine.qps) : mine.error ? '**error**' : 'skipped';
      L.push(`| ${workload} | ${MODES[mode].label} | ${mineText} | ${cells.join(' | ')} |`);
    }
    L.push('');
    L.push('## pgjet client CPU per query ÷ peer\'s (< 1: pgjet cheaper)');
    L.push('');
    L.push(`| workload | mode | pgjet CPU µs/q | ${peers.map((p) => `vs ${p}`).join(' | ')} |`);
    L.push(`|---|---|---:|${peers.map(() => '---:').join('|')}|`);
    for (const { workload, mode } of keys) {
      const mine = report.summary.find((s) => s.workload === workload && s.mode === mode && s.contender === 'pgjet');
      const cells = peers.map((p) => fmtRatio(findRatio(report.ratios, workload, mode, p)?.cpu));
      L.push(`| ${workload} | ${MODES[mode].label} | ${mine && mine.rounds > 0 ? fmtCount(mine.cpuUsPerQuery) : '—'} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }

  L.push('## All results (medians over rounds)');
  L.push('');
  L.push('★ marks the variant that counts for its driver (the faster by median q/s). bg: CPU other processes used during the trials, % of the machine.');
  L.push('');
  L.push('| workload | mode | driver | q/s | rows/s | p50 ms | p99 ms | CPU µs/q | bg |');
  L.push('|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const { workload, mode } of keys) {
    const rows = report.summary
      .filter((s) => s.workload === workload && s.mode === mode)
      .sort((a, b) => report.contenders.findIndex((c) => c.id === a.contender) - report.contenders.findIndex((c) => c.id === b.contender));
    for (const s of rows) {
      const multi = report.summary.filter((x) => x.workload === workload && x.mode === mode && x.peer === s.peer).length > 1;
      const label = `${s.label}${multi && s.best ? ' ★' : ''}`;
      if (s.rounds === 0) {
        const why = s.error ? `**error**: ${s.error.replace(/\|/g, '\\|').slice(0, 300)}` : `skipped: ${s.skipped ?? 'no data'}`;
        L.push(`| ${workload} | ${MODES[mode].label} | ${label} | ${why} | | | | | |`);
        continue;
      }
      L.push(
        `| ${workload} | ${MODES[mode].label} | ${label} | ${fmtCount(s.qps)} | ${fmtCount(s.rowsPerSec)} | ${fmtMs(s.p50Ms)} | ${fmtMs(s.p99Ms)} | ${fmtCount(s.cpuUsPerQuery)} | ${Number.isFinite(s.backgroundPct) ? `${s.backgroundPct.toFixed(0)}%` : '—'} |`,
      );
    }
  }
  L.push('');

  const cellRows = report.summary.filter((s) => s.rounds > 0 && report.workloads.find((w) => w.id === s.workload)?.id.startsWith('W1'));
  if (cellRows.length > 0) {
    L.push('## W1 per cell (20 columns)');
    L.push('');
    L.push('Wall ns/cell = 1e9 / (rows/s × 20) at that concurrency; CPU ns/cell = client CPU per query / (rows × 20).');
    L.push('');
    L.push('| workload | mode | driver | rows/s | wall ns/cell | CPU ns/cell |');
    L.push('|---|---|---|---:|---:|---:|');
    for (const s of cellRows) {
      const w = report.workloads.find((x) => x.id === s.workload);
      const cells = (w?.columns.length ?? 20) * (w?.rowsPerOp ?? 1);
      L.push(
        `| ${s.workload} | ${MODES[s.mode].label} | ${s.label} | ${fmtCount(s.rowsPerSec)} | ${fmtCount(1e9 / (s.rowsPerSec * (w?.columns.length ?? 20)))} | ${fmtCount((s.cpuUsPerQuery * 1000) / cells)} |`,
      );
    }
    L.push('');
  }

  if (report.targets.length > 0) {
    L.push('## Issue 5 targets');
    L.push('');
    L.push('| target | measured (median, min–max) | status |');
    L.push('|---|---|---|');
    for (const t of report.targets) L.push(`| ${t.target} | ${t.measured} | ${t.status === 'met' ? '✅ met' : t.status === 'missed' ? '❌ missed' : 'n/a'} |`);
    L.push('');
  }

  L.push('## No regression');
  L.push('');
  if (baseline === undefined) {
    L.push(
      'No comparable earlier results (a quick run is only compared with quick runs): run with `BENCH_SAVE_BASELINE=1` ' +
        'to write bench/results/baseline.json, and commit it.',
    );
  } else {
    const deltas = compareBaseline(report, baseline.report, tolerance);
    L.push(
      `Against ${baseline.label} (${baseline.report.machine.date}, ${baseline.report.machine.cpuModel}). The verdict uses pgjet's ` +
        `q/s ratio to the faster of pg and postgres.js (robust to machine speed), tolerance ${Math.round(tolerance * 100)}%.`,
    );
    L.push('');
    L.push('| workload | mode | pgjet q/s before → now | Δ | CPU µs/q before → now | Δ | ratio vs best JS peer before → now | no regression |');
    L.push('|---|---|---:|---:|---:|---:|---:|---|');
    for (const d of deltas) {
      const ratio = d.ratioBefore !== undefined && d.ratioNow !== undefined ? `${d.ratioBefore.toFixed(2)}× → ${d.ratioNow.toFixed(2)}×` : '—';
      L.push(
        `| ${d.workload} | ${MODES[d.mode].label} | ${fmtCount(d.qpsBefore)} → ${fmtCount(d.qpsNow)} | ${fmtDelta(d.qpsNow, d.qpsBefore)} | ` +
          `${fmtCount(d.cpuBefore)} → ${fmtCount(d.cpuNow)} | ${fmtDelta(d.cpuNow, d.cpuBefore)} | ${ratio} | ${d.ok ? '✅' : '❌ regressed'} |`,
      );
    }
    if (deltas.length === 0) L.push('| — | | | | | | | no pgjet results in common |');
  }
  L.push('');

  if (report.notes.length > 0) {
    L.push('## Notes');
    L.push('');
    for (const n of report.notes) L.push(`- ${n}`);
    L.push('');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// SVG

const PEER_COLORS: Record<string, string> = {
  pg: '#336791',
  'postgres.js': '#e38b2c',
  asyncpg: '#4b8b3b',
  pgbench: '#8e44ad',
  'pg unnest': '#7fa7c9',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar chart of pgjet's q/s ratio to each peer, one group per workload × mode, on a log₂ axis
 * centred on 1× (bars to the right: pgjet faster); whiskers span the min–max over rounds.
 */
export function toSvg(report: BenchReport): string {
  const peers = peersPresent(report).filter((p) => p !== BEST_JS_PEER);
  const groups = sortedKeys(report)
    .map((k) => ({ ...k, rows: peers.map((p) => ({ peer: p, s: findRatio(report.ratios, k.workload, k.mode, p)?.qps })).filter((r) => r.s) }))
    .filter((g) => g.rows.length > 0);
  const bar = 12;
  const gap = 10;
  const left = 190;
  const right = 70;
  const width = 980;
  const top = 64;
  const plotW = width - left - right;
  const lo = -3; // 1/8×
  const hi = 5; // 32×
  const x = (ratio: number): number => left + ((Math.min(hi, Math.max(lo, Math.log2(ratio))) - lo) / (hi - lo)) * plotW;
  let height = top;
  for (const g of groups) height += g.rows.length * bar + gap;
  height += 40;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="18" font-size="14" font-weight="bold">pgjet q/s ÷ peer q/s (log scale; right of 1× = pgjet faster; whiskers: min–max over ${report.config.rounds} round(s))</text>`);
  peers.forEach((p, i) => {
    out.push(`<rect x="${left + i * 130}" y="30" width="12" height="12" fill="${PEER_COLORS[p] ?? '#999'}"/>`);
    out.push(`<text x="${left + i * 130 + 16}" y="40">vs ${esc(p)}</text>`);
  });
  for (let e = lo; e <= hi; e++) {
    const gx = x(2 ** e);
    out.push(`<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${height - 30}" stroke="${e === 0 ? '#000' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${gx}" y="${height - 16}" text-anchor="middle">${e >= 0 ? 2 ** e : `1/${2 ** -e}`}×</text>`);
  }
  let y = top;
  for (const g of groups) {
    const h = g.rows.length * bar;
    out.push(`<text x="${left - 8}" y="${y + h / 2 + 4}" text-anchor="end">${esc(`${g.workload} ${MODES[g.mode].label.replace(/ \(.*\)/, '')}`)}</text>`);
    for (const r of g.rows) {
      const s = r.s as Spread;
      const x1 = x(1);
      const xm = x(s.median);
      out.push(`<rect x="${Math.min(x1, xm)}" y="${y + 1}" width="${Math.max(1, Math.abs(xm - x1))}" height="${bar - 2}" fill="${PEER_COLORS[r.peer] ?? '#999'}"/>`);
      if (s.n > 1) {
        const cy = y + bar / 2;
        out.push(`<line x1="${x(s.min)}" y1="${cy}" x2="${x(s.max)}" y2="${cy}" stroke="#222" stroke-width="1"/>`);
        out.push(`<line x1="${x(s.min)}" y1="${cy - 3}" x2="${x(s.min)}" y2="${cy + 3}" stroke="#222"/>`);
        out.push(`<line x1="${x(s.max)}" y1="${cy - 3}" x2="${x(s.max)}" y2="${cy + 3}" stroke="#222"/>`);
      }
      const tx = Math.max(x(s.median), x(s.max)) + 4;
      out.push(`<text x="${Math.min(tx, width - right + 4)}" y="${y + bar - 2}" font-size="10">${s.median.toFixed(2)}×</text>`);
      y += bar;
    }
    y += gap;
  }
  out.push('</svg>');
  return out.join('\n');
}
