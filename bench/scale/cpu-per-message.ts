/**
 * Server CPU per delivered message: what a step cost the named processes
 * (from /proc, bench/compare/scenarios.ts's withCpu: its window and drain),
 * divided by every message received in that time (for fan-out, every
 * delivery to a member).
 */
import type { MeasuredStep } from '../compare/scenarios';

/** CPU µs per received message, summed over `names`; undefined when nothing was received. */
export function cpuUsPerMessage(step: Pick<MeasuredStep, 'cpu' | 'wallMs' | 'received'>, names: string[]): number | undefined {
  if (step.received === 0) return undefined;
  const cores = names.reduce((sum, name) => sum + (step.cpu[name] ?? 0), 0);
  return Math.round((cores * step.wallMs * 1000) / step.received);
}

/** The Redis processes among a step's readings (`redis`, or `redis-<n>` for several). */
export const redisNames = (cpu: Record<string, number>) => Object.keys(cpu).filter((name) => name === 'redis' || name.startsWith('redis-'));
