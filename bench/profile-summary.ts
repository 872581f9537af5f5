/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`, which `BENCH_CPU_PROF=pgjet npm run bench` adds to
 * the chosen runners) as the functions with the most self time, and the files they live in.
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/pgjet-M1-*.cpuprofile [--top 30]
 *
 * Self time is what a function spends in its own code, not its callees: the list that says where a driver's
 * per-row cost actually goes. Samples are weighted by their time deltas, so a varying sampling interval does
 * not skew the shares.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `file:///work/main/src/x.ts` → `src/x.ts`; node internals keep their `node:` names. */
function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const cwd = `file://${process.cwd()}/`;
  return url.startsWith(cwd) ? url.slice(cwd.length) : url.replace(/^file:\/\//, '');
}

export function summarize(file: string, top: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByFn = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    const f = node.callFrame;
    // Idle time is the event loop waiting for the server: not the driver's cost, so shares exclude it.
    if (f.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    const where = shortUrl(f.url);
    // tsx-compiled modules report line 0 for every function; a line number is only shown when meaningful.
    const key = `${f.functionName || '(anonymous)'}  ${where}${f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
    selfByFile.set(where, (selfByFile.get(where) ?? 0) + dt);
  }
  const lines: string[] = [];
  const pct = (x: number): string => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
  lines.push(`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms busy (shares below), ${(idle / 1000).toFixed(0)} ms idle`);
  lines.push('');
  lines.push(`top ${top} functions by self time:`);
  for (const [key, t] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
  lines.push('');
  lines.push('self time by file:');
  for (const [where, t] of [...selfByFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(`  ${pct(t)}  ${where}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
  const files = args.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));
  if (files.length === 0) {
    console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile… [--top N]');
    process.exit(2);
  }
  for (const f of files) console.log(`${summarize(f, top)}\n`);
}
