/**
 * The "fills in" badge of a series with a forecast against a capacity (the datasource's `forecast`
 * format with a capacity): how long until its median forecast reaches the threshold share of the
 * capacity, short enough for a NOC tile ("80 % in 3d 4h"), with the scorer's sentence as its tooltip.
 * Pure, so a tile only renders what this returns.
 */
import type { PanelSeries } from './parse';

export interface FillsInBadge {
  text: string;
  /** the scorer's sentence ("… reaches 80 % of 10 Gb/s in about 3 days 4 hours") */
  title: string;
  /** under a day: the tile shows it as a warning */
  urgent: boolean;
}

/** "3d 4h", "5h 20m", "45m": the two largest units. */
export function shortDuration(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of [
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0 && parts.length < 2) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.join(' ');
}

/** The badge, or null when the series has no forecast against a capacity or does not reach it in time. */
export function fillsInBadge(s: PanelSeries): FillsInBadge | null {
  const f = s.forecast;
  if (!f || f.medianSeconds === null || f.fraction === null) {
    return null;
  }
  const share = `${Math.round(f.fraction * 100)} %`;
  return {
    text: f.medianSeconds === 0 ? `${share} now` : `${share} in ${shortDuration(f.medianSeconds)}`,
    title: f.sentence ?? '',
    urgent: f.medianSeconds < 86_400,
  };
}
