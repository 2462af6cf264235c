import { useState, type MouseEvent } from 'react';
import { nearestWithValue, niceCeiling, timeTicks } from './chart-scale';
import { clock } from './format';

type Points = ReadonlyArray<readonly [number, number | null]>;

const MARGIN = { left: 44, right: 8, top: 8, bottom: 20 };

/**
 * A line chart of [time, value|null] points (gaps where null) with a time
 * axis, a value axis from 0, and the time and value of the nearest point
 * under the pointer.
 */
export function TimeChart({ points, label, format, width = 300, height = 120, testId }: { points: Points; label: string; format: (n: number) => string; width?: number; height?: number; testId?: string }) {
  const [hover, setHover] = useState<number | null>(null);
  const values = points.map(([, v]) => v).filter((v): v is number => v !== null);
  const top = niceCeiling(Math.max(0, ...values));
  const t0 = points[0]?.[0] ?? 0;
  const t1 = points.at(-1)?.[0] ?? 1;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + ((t - t0) / Math.max(1, t1 - t0)) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
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
  const hovered = hover === null ? undefined : points[hover];

  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const t = t0 + ((e.clientX - box.left - MARGIN.left) / plotW) * (t1 - t0);
    const i = nearestWithValue(points, t);
    setHover(i === -1 ? null : i);
  };

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <span>{label}</span>
        <strong>{last === undefined ? '–' : format(last ?? 0)}</strong>
        <span className="muted">max {values.length ? format(Math.max(...values)) : '–'}</span>
      </figcaption>
      <svg width={width} height={height} role="img" aria-label={label} onMouseMove={onMove} onMouseLeave={() => setHover(null)}>
        <rect x={MARGIN.left} y={MARGIN.top} width={plotW} height={plotH} className="chart-bg" />
        {valueTicks(top, format).map((v) => (
          <g key={v}>
            <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={y(v)} y2={y(v)} className="chart-grid" />
            <text x={MARGIN.left - 4} y={y(v) + 4} textAnchor="end" className="chart-axis">
              {format(v)}
            </text>
          </g>
        ))}
        {points.length > 1 &&
          timeTicks(t0, t1, Math.max(2, Math.floor(plotW / 70))).map((t) => (
            <text key={t} x={x(t)} y={height - 5} textAnchor="middle" className="chart-axis">
              {clock(t)}
            </text>
          ))}
        {segments.map((d, i) => (
          <path key={i} d={d} className="chart-line" />
        ))}
        {values.length === 0 && (
          <text x={MARGIN.left + plotW / 2} y={MARGIN.top + plotH / 2} textAnchor="middle" className="muted">
            no data yet
          </text>
        )}
        {hovered && hovered[1] !== null && (
          <g>
            <line x1={x(hovered[0])} x2={x(hovered[0])} y1={MARGIN.top} y2={MARGIN.top + plotH} className="chart-cursor" />
            <circle cx={x(hovered[0])} cy={y(hovered[1])} r={3} className="chart-dot" />
          </g>
        )}
      </svg>
      <div className="chart-readout" role="tooltip" hidden={!hovered}>
        {hovered && `${clock(hovered[0])} · ${hovered[1] === null ? '–' : format(hovered[1])}`}
      </div>
    </figure>
  );
}

/** 0, the middle and the top of the value axis; the middle only when the format tells it apart (an integer axis up to 1 has none). */
function valueTicks(top: number, format: (n: number) => string): number[] {
  const middle = format(top / 2);
  return middle === format(0) || middle === format(top) ? [0, top] : [0, top / 2, top];
}
