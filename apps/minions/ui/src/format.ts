/** Compact numbers for dashboards: 1234 -> "1.2k". */
export function num(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(digits)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(digits)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(digits)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : `${(n / (1 << 20)).toFixed(0)} MiB`;
}

export function ago(at: number | undefined, now = Date.now()): string {
  if (!at) return '–';
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour12: false });
}
