/**
 * The score contract's severity scale, as the scorer computes it (backend/src/calibration/episodes.ts):
 * score 1 → 0, 2 → 50, 4 → 75; minor ≥ 25, major ≥ 50, critical ≥ 75.
 */
export type SeverityLabel = 'warning' | 'minor' | 'major' | 'critical';
export type Status = 'ok' | SeverityLabel | 'learning' | 'no_data' | 'unscored';

export function severityOf(score: number): number {
  if (!(score > 1)) {
    return 0;
  }
  return Math.min(100, Math.round(100 * (1 - 1 / score) * 10) / 10);
}

export function severityLabel(severity: number): SeverityLabel {
  return severity >= 75 ? 'critical' : severity >= 50 ? 'major' : severity >= 25 ? 'minor' : 'warning';
}

/** Grafana named colours per status (resolved with theme.visualization.getColorByName). */
export const STATUS_COLOR: Record<Status, string> = {
  ok: 'green',
  warning: 'light-yellow',
  minor: 'yellow',
  major: 'orange',
  critical: 'red',
  learning: 'blue',
  no_data: 'gray',
  unscored: 'gray',
};

/** Sort key: the worse, the higher. */
export const STATUS_RANK: Record<Status, number> = {
  critical: 6,
  major: 5,
  minor: 4,
  warning: 3,
  ok: 2,
  learning: 1,
  no_data: 0,
  unscored: 0,
};
