/**
 * Time to threshold: when a forecast's median and upper (95 %) paths first reach a fraction of a
 * capacity, and the sentence an operator reads ("transit-1 reaches 80 % of 10 Gb/s in about 3 days
 * 4 hours").
 */
import type { SeriesForecast } from './forecast.js';

export const DEFAULT_THRESHOLD_FRACTION = 0.8;

export interface ThresholdCrossing {
  capacity: number;
  fraction: number;
  /** capacity × fraction */
  threshold: number;
  /** Ms from the last point until the median path reaches the threshold; 0 already there; null not within the horizon. */
  medianMs: number | null;
  /** The same for the upper 95 % path: the earliest the threshold is plausibly reached. */
  upperMs: number | null;
  /** Ms the forecast covers (a null above means "not within this"). */
  horizonMs: number;
  sentence: string;
}

function firstCrossing(f: SeriesForecast, path: number[], threshold: number): number | null {
  if (!f.last) return null;
  if (f.last.value >= threshold) return 0;
  for (let h = 0; h < path.length; h++) if (path[h] >= threshold) return f.timestamps[h] - f.last.time;
  return null;
}

/** A duration as people say it: the two largest units, rounded ("3 days 4 hours", "about 45 minutes"). */
export function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  const units: [string, number][] = [
    ['day', 1440],
    ['hour', 60],
    ['minute', 1],
  ];
  const parts: string[] = [];
  let rest = minutes;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 && parts.length < 2) {
      parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
      rest -= n * size;
    } else if (parts.length > 0) break;
  }
  return parts.join(' ');
}

/** Grafana unit ids as people write them after a number (SI prefixes are added to the number). */
const UNIT_TEXT: Record<string, string> = {
  bps: 'b/s',
  Bps: 'B/s',
  pps: 'p/s',
  reqps: 'req/s',
  percentunit: '',
};

/** 1e10 with unit "bps" → "10 Gb/s"; without a unit, the number with an SI prefix. */
export function formatQuantity(value: number, unit?: string): string {
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < prefixes.length - 1) {
    v /= 1000;
    i++;
  }
  const number = Number(v.toPrecision(3)).toString();
  const suffix = unit === undefined ? '' : (UNIT_TEXT[unit] ?? unit);
  return `${number}${prefixes[i] || suffix ? ' ' : ''}${prefixes[i]}${suffix}`.trimEnd();
}

export function timeToThreshold(
  f: SeriesForecast,
  capacity: number,
  options: { fraction?: number; name?: string; unit?: string } = {},
): ThresholdCrossing {
  const fraction = options.fraction ?? DEFAULT_THRESHOLD_FRACTION;
  const threshold = capacity * fraction;
  const medianMs = firstCrossing(f, f.mean, threshold);
  const upperMs = firstCrossing(f, f.upper95, threshold);
  const horizonMs = f.last && f.timestamps.length ? f.timestamps[f.timestamps.length - 1] - f.last.time : 0;
  const name = options.name ?? 'the series';
  const target = `${Math.round(fraction * 100)} % of ${formatQuantity(capacity, options.unit)}`;
  let sentence: string;
  if (!f.last) sentence = `${name} has no history to forecast from`;
  else if (medianMs === 0) sentence = `${name} is already at ${target}`;
  else if (medianMs !== null) sentence = `${name} reaches ${target} in about ${humanDuration(medianMs)}`;
  else if (upperMs !== null)
    sentence = `${name} stays under ${target} on the median forecast for the next ${humanDuration(horizonMs)}; its upper 95 % path reaches it in about ${humanDuration(upperMs)}`;
  else if (f.state === 'flat')
    sentence = `${name} is flat at ${formatQuantity(f.last.value, options.unit)}, under ${target}`;
  else sentence = `${name} stays under ${target} for the next ${humanDuration(horizonMs)}`;
  return { capacity, fraction, threshold, medianMs, upperMs, horizonMs, sentence };
}
