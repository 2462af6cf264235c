/**
 * Latency histograms of the comparison benches: HDR histograms (1 µs to 10
 * min, 3 significant digits) recorded in the load-generator processes,
 * shipped to the coordinator compressed and merged there, so percentiles are
 * over every sample of every process, not averages of per-process figures.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export const newHistogram = (): Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });

/** Records a latency given in milliseconds (as µs, clamped to the trackable range). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(600_000_000, Math.max(1, Math.round(ms * 1000))));
}

export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

/** Merges encoded histograms (one per load-generator process) into one. */
export function mergeHistograms(encoded: string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return total;
}

export interface LatencyMs {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

const ms = (us: number) => Math.round(us / 10) / 100;

export function latencyMs(h: Histogram): LatencyMs {
  if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  return { count: h.totalCount, p50: ms(h.getValueAtPercentile(50)), p99: ms(h.getValueAtPercentile(99)), p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue) };
}

export const fmtLatencyMs = (l: LatencyMs) => `p50 ${l.p50} / p99 ${l.p99} / p999 ${l.p999} ms`;
