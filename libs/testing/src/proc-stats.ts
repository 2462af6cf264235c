import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of the CPU times in /proc. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (µs) another process has used, from /proc; NaN once it is gone. */
export function procCpuUs(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces): utime is the 14th field, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return NaN;
  }
}

/** CPU time (µs) all CPUs of the machine were busy (not idle, not waiting for I/O), from /proc/stat. */
export function machineBusyUs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return ((total - fields[3]! - fields[4]!) / CLOCK_TICKS) * 1e6;
}

/** Resident memory (bytes) of a process, from /proc. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}
