/** A small line chart of [t, value|null] points (gaps where null), with the latest and max value. */
export function Sparkline({ points, label, format, width = 260, height = 56 }: { points: Array<[number, number | null]>; label: string; format: (n: number) => string; width?: number; height?: number }) {
  const values = points.map(([, v]) => v).filter((v): v is number => v !== null);
  const max = Math.max(1e-9, ...values);
  const t0 = points[0]?.[0] ?? 0;
  const t1 = points.at(-1)?.[0] ?? 1;
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * (width - 2) + 1;
  const y = (v: number) => height - 2 - (v / max) * (height - 6);
  const segments: string[] = [];
  let current = '';
  for (const [t, v] of points) {
    if (v === null) {
      if (current) segments.push(current);
      current = '';
    } else current += `${current ? ' L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
  }
  if (current) segments.push(current);
  const last = [...points].reverse().find(([, v]) => v !== null)?.[1];
  return (
    <figure className="spark">
      <figcaption>
        <span>{label}</span>
        <strong>{last === undefined ? '–' : format(last ?? 0)}</strong>
        <span className="muted">max {values.length ? format(max) : '–'}</span>
      </figcaption>
      <svg width={width} height={height} role="img" aria-label={label}>
        <rect x="0" y="0" width={width} height={height} className="spark-bg" />
        {segments.map((d, i) => (
          <path key={i} d={d} className="spark-line" />
        ))}
        {values.length === 0 && (
          <text x={width / 2} y={height / 2} textAnchor="middle" className="muted">
            no data yet
          </text>
        )}
      </svg>
    </figure>
  );
}
