/** What the results were measured on: printed with every report, since ratios only mean something with it. */
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  /** Driver versions as each runner reported them, keyed by driver. */
  drivers: Record<string, string>;
  pgbench?: string;
  /** The server's origin: 'embedded' or 'PGJET_BENCH_DSN'. */
  server: string;
  date: string;
}

function osName(): string {
  try {
    const text = fs.readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
    if (pretty) return `${pretty[1]} (${os.platform()} ${os.release()})`;
  } catch {
    // Not Linux, or no os-release: the kernel name and release will do.
  }
  return `${os.platform()} ${os.release()}`;
}

export function machineInfo(postgres: string, server: string, pgbench: string | undefined): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    node: process.version,
    postgres,
    drivers: {},
    pgbench,
    server,
    date: new Date().toISOString(),
  };
}
