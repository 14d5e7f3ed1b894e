/**
 * One series of the overlay on a 2D canvas: shaded episodes, the normal band, the expected line, the
 * value, anomalous points by severity, the y axis, and optionally the score strip (boundary at 1) and
 * the time axis. Everything is in CSS pixels; the caller scales the context for the device ratio.
 */
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import type { PanelSeries } from '../frames/parse';
import { severityLabel, severityOf } from '../frames/severity.gen';
import { statusColor, withAlpha } from './colors';
import { decimate, GAP, runsOf } from './decimate';
import { extent, linear, piecewise, ticks, timeTicks, type Scale } from './scale';

export interface RowLayout {
  width: number;
  height: number;
  from: number;
  to: number;
  showBand: boolean;
  showExpected: boolean;
  showEpisodes: boolean;
  showScore: boolean;
  showTimeAxis: boolean;
  timeZone?: TimeZone;
  color: string;
  formatValue: (v: number) => string;
}

export const AXIS_WIDTH = 64;
export const TITLE_HEIGHT = 18;
export const TIME_AXIS_HEIGHT = 18;
export const SCORE_HEIGHT = 34;
/** Share of the score strip's height below the boundary at 1, whatever the peak. */
const NORMAL_SHARE = 0.45;
const RIGHT_PAD = 8;

export interface RowGeometry {
  x: Scale;
  y: Scale;
  plot: { left: number; top: number; right: number; bottom: number };
  score: { top: number; bottom: number; y: Scale } | null;
}

/** The values whose time falls in the layout's range (null elsewhere), for the y extent. */
function visible(times: readonly number[], values: ReadonlyArray<number | null>, l: RowLayout) {
  return values.map((v, i) => (times[i] >= l.from && times[i] <= l.to ? v : null));
}

export function rowGeometry(s: PanelSeries, l: RowLayout): RowGeometry {
  const left = AXIS_WIDTH;
  const right = Math.max(left + 10, l.width - RIGHT_PAD);
  const top = TITLE_HEIGHT;
  const hasScore = l.showScore && s.score !== null;
  const bottomAll = l.height - (l.showTimeAxis ? TIME_AXIS_HEIGHT : 0);
  const bottom = Math.max(top + 10, bottomAll - (hasScore ? SCORE_HEIGHT + 4 : 0));
  const [lo, hi] = extent(
    s.values,
    l.showBand ? s.lower : null,
    l.showBand ? s.upper : null,
    l.showExpected ? s.expected : null,
    // The whole 80 % cone fits; the 95 % one may be cut (it can be wide far ahead).
    s.forecast ? visible(s.forecast.times, s.forecast.lower80, l) : null,
    s.forecast ? visible(s.forecast.times, s.forecast.upper80, l) : null,
  ) ?? [0, 1];
  const x = linear(l.from, l.to, left, right);
  const y = linear(lo, hi, bottom, top);
  let score: RowGeometry['score'] = null;
  if (hasScore) {
    // 0–1 always takes the lower 45 %, so the boundary (and its label) stays at the same readable height
    // however high the peak; above it, 1…max(2, peak), capped so one huge peak keeps the rest visible.
    const peak = Math.min(8, Math.max(2, ...(s.score ?? []).map((v) => v ?? 0)));
    const sTop = bottom + 4;
    const boundary = bottomAll - (bottomAll - sTop) * NORMAL_SHARE;
    score = { top: sTop, bottom: bottomAll, y: piecewise([0, 1, peak], [bottomAll, boundary, sTop]) };
  }
  return { x, y, plot: { left, top, right, bottom }, score };
}

/**
 * Where the strip's axis labels go: "score" from the strip's top down, "1" centred on the boundary line.
 * Both stay inside the strip, so the next row never covers them.
 */
export function scoreAxisLabels(strip: NonNullable<RowGeometry['score']>, textHeight = 12) {
  const boundary = Math.min(
    strip.bottom - textHeight / 2,
    Math.max(strip.top + textHeight * 1.5, strip.y(1)),
  );
  return { name: strip.top, boundary };
}

/**
 * A line through the values, reduced to at most four points per device-pixel column (see decimate.ts):
 * drawing all 10,000 points of a week of 1-minute data made rasterizing the paths most of the panel's
 * render time. A null still breaks the line.
 */
function path(
  ctx: CanvasRenderingContext2D,
  times: readonly number[],
  values: ReadonlyArray<number | null>,
  x: Scale,
  y: Scale,
  density: number,
) {
  const { index, length } = decimate(times, values, x, { density });
  ctx.beginPath();
  let pen = false;
  for (let k = 0; k < length; k++) {
    const i = index[k];
    if (i === GAP) {
      pen = false;
    } else if (pen) {
      ctx.lineTo(x(times[i]), y(values[i]!));
    } else {
      ctx.moveTo(x(times[i]), y(values[i]!));
      pen = true;
    }
  }
}

function band(
  ctx: CanvasRenderingContext2D,
  s: Pick<PanelSeries, 'times' | 'lower' | 'upper'>,
  g: RowGeometry,
  density: number,
) {
  const { lower, upper, times } = s;
  if (!lower || !upper) {
    return;
  }
  // One polygon per run of points where both bounds are known: upper forwards, lower backwards. Each
  // edge keeps its outer extreme per pixel column (upper max, lower min: the fill covers what is
  // between); as both treat a point missing in either bound as a gap, their runs are the same.
  const up = decimate(times, upper, g.x, { density, alsoDefined: lower, keep: 'max' });
  const down = decimate(times, lower, g.x, { density, alsoDefined: upper, keep: 'min' });
  const upRuns = runsOf(up);
  const downRuns = runsOf(down);
  for (let r = 0; r < upRuns.length; r++) {
    const [a, b] = upRuns[r];
    const [c, d] = downRuns[r];
    ctx.beginPath();
    ctx.moveTo(g.x(times[up.index[a]]), g.y(upper[up.index[a]]!));
    for (let k = a + 1; k < b; k++) {
      ctx.lineTo(g.x(times[up.index[k]]), g.y(upper[up.index[k]]!));
    }
    for (let k = d - 1; k >= c; k--) {
      ctx.lineTo(g.x(times[down.index[k]]), g.y(lower[down.index[k]]!));
    }
    ctx.closePath();
    ctx.fill();
  }
}

export function drawRow(
  ctx: CanvasRenderingContext2D,
  theme: GrafanaTheme2,
  s: PanelSeries,
  l: RowLayout,
  /** Device pixels per CSS pixel (the context's scale): paths are reduced per device-pixel column. */
  density = 1,
): RowGeometry {
  const g = rowGeometry(s, l);
  const { plot } = g;
  const font = `${theme.typography.bodySmall.fontSize} ${theme.typography.fontFamily}`;
  ctx.clearRect(0, 0, l.width, l.height);
  ctx.font = font;
  ctx.textBaseline = 'middle';

  // Title
  ctx.fillStyle = theme.colors.text.primary;
  ctx.textAlign = 'left';
  ctx.fillText(s.name, plot.left, TITLE_HEIGHT / 2);

  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.left, plot.top, plot.right - plot.left, (g.score?.bottom ?? plot.bottom) - plot.top);
  ctx.clip();

  // Maintenance windows: hatched purple across the plot, under the episodes (the series is suppressed there).
  for (const m of s.maintenance ?? []) {
    const x0 = g.x(m.start);
    const x1 = Math.max(g.x(m.end), x0 + 2);
    const bottom = g.score?.bottom ?? plot.bottom;
    ctx.fillStyle = withAlpha(theme, statusColor(theme, 'suppressed'), 0.12);
    ctx.fillRect(x0, plot.top, x1 - x0, bottom - plot.top);
    ctx.strokeStyle = withAlpha(theme, statusColor(theme, 'suppressed'), 0.35);
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = x0 - (bottom - plot.top); x < x1; x += 8) {
      ctx.moveTo(Math.max(x, x0), plot.top + Math.max(0, x0 - x));
      ctx.lineTo(Math.min(x + (bottom - plot.top), x1), bottom - Math.max(0, x + (bottom - plot.top) - x1));
    }
    ctx.stroke();
  }

  if (l.showEpisodes) {
    for (const e of s.episodes) {
      const x0 = g.x(e.start);
      const x1 = Math.max(g.x(e.end), x0 + 2);
      ctx.fillStyle = withAlpha(theme, statusColor(theme, e.severityLabel), 0.14);
      ctx.fillRect(x0, plot.top, x1 - x0, (g.score?.bottom ?? plot.bottom) - plot.top);
    }
  }

  // Grid
  ctx.strokeStyle = theme.colors.border.weak;
  ctx.lineWidth = 1;
  const yTicks = ticks(
    g.y.invert(plot.bottom),
    g.y.invert(plot.top),
    Math.max(2, Math.floor((plot.bottom - plot.top) / 40)),
  );
  for (const t of yTicks) {
    const py = Math.round(g.y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(plot.left, py);
    ctx.lineTo(plot.right, py);
    ctx.stroke();
  }

  if (l.showBand && s.lower && s.upper) {
    ctx.fillStyle = withAlpha(theme, theme.visualization.getColorByName('green'), 0.25);
    band(ctx, s, g, density);
  }
  if (s.forecast) {
    // The forecast past the last point: the 95 % interval lighter, the 80 % one darker, the median dashed,
    // and a thin line where the history ends and the forecast begins.
    const f = s.forecast;
    const cone = theme.visualization.getColorByName('orange');
    ctx.fillStyle = withAlpha(theme, cone, 0.14);
    band(ctx, { times: f.times, lower: f.lower95, upper: f.upper95 }, g, density);
    ctx.fillStyle = withAlpha(theme, cone, 0.28);
    band(ctx, { times: f.times, lower: f.lower80, upper: f.upper80 }, g, density);
    ctx.strokeStyle = cone;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([8, 5]);
    path(ctx, f.times, f.mean, g.x, g.y, density);
    ctx.stroke();
    ctx.setLineDash([]);
    const start = s.times[s.times.length - 1];
    if (start !== undefined && start >= l.from && start <= l.to) {
      ctx.strokeStyle = withAlpha(theme, cone, 0.6);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(g.x(start)) + 0.5, plot.top);
      ctx.lineTo(Math.round(g.x(start)) + 0.5, plot.bottom);
      ctx.stroke();
    }
  }
  if (l.showExpected && s.expected) {
    ctx.strokeStyle = theme.colors.text.secondary;
    ctx.lineWidth = 1;
    ctx.setLineDash([6, 4]);
    path(ctx, s.times, s.expected, g.x, g.y, density);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.strokeStyle = l.color;
  ctx.lineWidth = 1.5;
  // Bevel joins: on a noisy line every column turns sharply, and miter joins drew spikes up to 7.5 px
  // beyond the data's min and max (and doubled the time to stroke it).
  ctx.lineJoin = 'bevel';
  path(ctx, s.times, s.values, g.x, g.y, density);
  ctx.stroke();
  ctx.lineJoin = 'miter';

  // Anomalous points, coloured by the severity of their own score; the worst drawn last, on top.
  if (s.anomaly) {
    const anomalous: number[] = [];
    for (let i = 0; i < s.times.length; i++) {
      if (s.anomaly[i] && s.values[i] !== null) {
        anomalous.push(i);
      }
    }
    anomalous.sort((a, b) => (s.score?.[a] ?? 0) - (s.score?.[b] ?? 0));
    // Every outline first, then every fill: where a run of anomalous points puts markers a fraction of
    // a pixel apart, one marker's outline drawn after another's fill covered it, and a run of warnings
    // read as a dark smudge (test/browser/panel.scorewith.test.mjs found no marker there).
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.colors.background.primary;
    for (const i of anomalous) {
      ctx.beginPath();
      ctx.arc(g.x(s.times[i]), g.y(s.values[i]!), 4, 0, 2 * Math.PI);
      ctx.stroke();
    }
    for (const i of anomalous) {
      ctx.beginPath();
      ctx.arc(g.x(s.times[i]), g.y(s.values[i]!), 4, 0, 2 * Math.PI);
      ctx.fillStyle = statusColor(theme, severityLabel(severityOf(s.score?.[i] ?? 1)));
      ctx.fill();
    }
  }

  if (g.score && s.score) {
    const sc = g.score;
    ctx.fillStyle = theme.colors.background.secondary;
    ctx.fillRect(plot.left, sc.top, plot.right - plot.left, sc.bottom - sc.top);
    ctx.fillStyle = withAlpha(theme, theme.visualization.getColorByName('purple'), 0.35);
    ctx.beginPath();
    ctx.moveTo(g.x(s.times[0] ?? l.from), sc.bottom);
    // An area from 0 covers each pixel column up to its highest score, so that point is all it needs
    // (a missing score is 0 here, as before); the cap at the strip's top keeps which point is highest.
    // A polygon through every noisy point took longer to fill than all the rest of the row.
    const scoreTop = sc.y.invert(sc.top);
    const reduced = decimate(s.times, s.score, g.x, { density, missingAsZero: true, keep: 'max' });
    for (let k = 0; k < reduced.length; k++) {
      const i = reduced.index[k];
      ctx.lineTo(g.x(s.times[i]), sc.y(Math.min(s.score[i] ?? 0, scoreTop)));
    }
    ctx.lineTo(g.x(s.times[s.times.length - 1] ?? l.to), sc.bottom);
    ctx.closePath();
    ctx.fill();
    // The anomaly boundary.
    ctx.strokeStyle = statusColor(theme, 'critical');
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(plot.left, Math.round(sc.y(1)) + 0.5);
    ctx.lineTo(plot.right, Math.round(sc.y(1)) + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.restore();

  // Axes labels
  ctx.fillStyle = theme.colors.text.secondary;
  ctx.textAlign = 'right';
  for (const t of yTicks) {
    ctx.fillText(l.formatValue(t), plot.left - 6, g.y(t));
  }
  if (g.score) {
    const labels = scoreAxisLabels(g.score);
    ctx.textBaseline = 'top';
    ctx.fillText('score', plot.left - 6, labels.name);
    ctx.textBaseline = 'middle';
    ctx.fillStyle = statusColor(theme, 'critical');
    ctx.fillText('1', plot.left - 6, labels.boundary);
    ctx.fillRect(plot.left - 4, Math.round(labels.boundary), 4, 1);
    ctx.fillStyle = theme.colors.text.secondary;
  }
  if (l.showTimeAxis) {
    ctx.textAlign = 'center';
    const span = l.to - l.from;
    const format = span > 2 * 86400000 ? 'MM/DD HH:mm' : 'HH:mm';
    const yAxis = l.height - TIME_AXIS_HEIGHT / 2;
    for (const t of timeTicks(l.from, l.to, Math.max(2, Math.floor((plot.right - plot.left) / 90)))) {
      ctx.fillText(dateTimeFormat(t, { format, timeZone: l.timeZone }), g.x(t), yAxis);
    }
  }
  return g;
}
