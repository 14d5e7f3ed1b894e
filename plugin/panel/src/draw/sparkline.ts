import type { PanelSeries } from '../frames/parse';
import { extent, linear } from './scale';

/** A tile's sparkline: the band as a translucent area and the value as a line, in one ink colour. */
export function drawSparkline(
  ctx: CanvasRenderingContext2D,
  s: PanelSeries,
  width: number,
  height: number,
  ink: string,
  bandFill: string,
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
    ctx.fillStyle = bandFill;
    ctx.beginPath();
    let started = false;
    const back: number[] = [];
    for (let i = 0; i < n; i++) {
      if (upper[i] === null || lower[i] === null) {
        continue;
      }
      back.push(i);
      if (started) {
        ctx.lineTo(x(s.times[i]), y(upper[i]!));
      } else {
        ctx.moveTo(x(s.times[i]), y(upper[i]!));
        started = true;
      }
    }
    for (let k = back.length - 1; k >= 0; k--) {
      ctx.lineTo(x(s.times[back[k]]), y(lower[back[k]]!));
    }
    ctx.closePath();
    ctx.fill();
  }
  ctx.strokeStyle = ink;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < n; i++) {
    const v = s.values[i];
    if (v === null) {
      pen = false;
      continue;
    }
    if (pen) {
      ctx.lineTo(x(s.times[i]), y(v));
    } else {
      ctx.moveTo(x(s.times[i]), y(v));
      pen = true;
    }
  }
  ctx.stroke();
}
