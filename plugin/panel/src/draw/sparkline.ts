import type { PanelSeries } from '../frames/parse';
import { decimate, GAP } from './decimate';
import { extent, linear } from './scale';

/**
 * A tile's sparkline: the band as a translucent area and the value as a line, in one ink colour. Both
 * are reduced per device-pixel column (decimate.ts): a day of 1-minute points is ~10 points per column
 * of a tile.
 */
export function drawSparkline(
  ctx: CanvasRenderingContext2D,
  s: PanelSeries,
  width: number,
  height: number,
  ink: string,
  bandFill: string,
  /** Device pixels per CSS pixel (the context's scale). */
  density = 1,
) {
  ctx.clearRect(0, 0, width, height);
  const n = s.times.length;
  const range = extent(s.values, s.lower, s.upper);
  if (n < 2 || !range) {
    return;
  }
  const x = linear(s.times[0], s.times[n - 1], 1, width - 1);
  const y = linear(range[0], range[1], height - 2, 2);
  if (s.lower && s.upper) {
    const { lower, upper } = s;
    // One area over every point where both bounds are known, bridging gaps as before: the runs of the
    // reduced edges (upper max, lower min per column) are joined, upper forwards, lower backwards.
    const up = decimate(s.times, upper, x, { density, alsoDefined: lower, keep: 'max' });
    const down = decimate(s.times, lower, x, { density, alsoDefined: upper, keep: 'min' });
    ctx.fillStyle = bandFill;
    ctx.beginPath();
    let started = false;
    for (let k = 0; k < up.length; k++) {
      const i = up.index[k];
      if (i === GAP) {
        continue;
      }
      if (started) {
        ctx.lineTo(x(s.times[i]), y(upper[i]!));
      } else {
        ctx.moveTo(x(s.times[i]), y(upper[i]!));
        started = true;
      }
    }
    for (let k = down.length - 1; k >= 0; k--) {
      const i = down.index[k];
      if (i !== GAP) {
        ctx.lineTo(x(s.times[i]), y(lower[i]!));
      }
    }
    ctx.closePath();
    ctx.fill();
  }
  ctx.strokeStyle = ink;
  ctx.lineWidth = 2;
  // Bevel joins, as the overlay's value line: miter spikes would overshoot the data on noisy series.
  ctx.lineJoin = 'bevel';
  ctx.beginPath();
  const line = decimate(s.times, s.values, x, { density });
  let pen = false;
  for (let k = 0; k < line.length; k++) {
    const i = line.index[k];
    if (i === GAP) {
      pen = false;
    } else if (pen) {
      ctx.lineTo(x(s.times[i]), y(s.values[i]!));
    } else {
      ctx.moveTo(x(s.times[i]), y(s.values[i]!));
      pen = true;
    }
  }
  ctx.stroke();
}
