/**
 * The severity scale, the status names and colours, and the words for the explanation kinds: the one
 * definition the scorer and both Grafana plugins use. It imports nothing, so the plugins take it
 * verbatim: plugin/datasource/scripts/contract-modules.mjs copies it into each plugin as a `*.gen.ts`,
 * and each plugin's `npm test` fails when its copy is out of date.
 */

/** An episode's severity band, mildest first. */
export const SEVERITY_LABELS = ['warning', 'minor', 'major', 'critical'] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/** The lowest severity (0–100) of each band above `warning`. */
export const SEVERITY_THRESHOLDS = { minor: 25, major: 50, critical: 75 } as const;

/** A peak score → severity 0–100, one decimal: 100 · (1 − 1/score), so score 1 → 0, 2 → 50, 4 → 75. */
export function severityOf(peakScore: number): number {
  if (!(peakScore > 1)) {
    return 0;
  }
  return Math.min(100, Math.round(100 * (1 - 1 / peakScore) * 10) / 10);
}

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= SEVERITY_THRESHOLDS.critical) {
    return 'critical';
  }
  if (severity >= SEVERITY_THRESHOLDS.major) {
    return 'major';
  }
  return severity >= SEVERITY_THRESHOLDS.minor ? 'minor' : 'warning';
}

/**
 * What a series shows (NOC tiles, the overlay): ok, its severity band while anomalous, learning,
 * no_data, or unscored (a plain series drawn without scores).
 */
/**
 * What a series is now, as the panel's tiles show it: ok, an alert's severity, or a state that says its
 * scores are not to be read as alerts (maintenance: suppressed; data quality: stale, gap, flatline).
 */
export const STATUSES = [
  'ok',
  ...SEVERITY_LABELS,
  'learning',
  'no_data',
  'unscored',
  'suppressed',
  'stale',
  'gap',
  'flatline',
] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Grafana named colours per status (theme.visualization.getColorByName resolves them; annotations take
 * them as they are). `warning` is light yellow, the mildest step of Grafana's yellow → orange → red
 * alert ramp, so the four bands read as one scale; blue is `learning`'s, a state rather than an alert.
 */
export const STATUS_COLORS: Record<Status, string> = {
  ok: 'green',
  warning: 'light-yellow',
  minor: 'yellow',
  major: 'orange',
  critical: 'red',
  learning: 'blue',
  no_data: 'gray',
  unscored: 'gray',
  // Maintenance is planned, not a fault: purple, outside the alert ramp. The data-quality states say the
  // scores cannot be trusted: gray like no data (their tiles name the state).
  suppressed: 'purple',
  stale: 'gray',
  gap: 'gray',
  flatline: 'gray',
};

/** What kind of deviation an anomaly is (Explanation.kind). */
export const EXPLANATION_KINDS = [
  'spike',
  'dip',
  'level_shift',
  'variance_change',
  'seasonal_mismatch',
  'rate_of_change',
] as const;
export type ExplanationKind = (typeof EXPLANATION_KINDS)[number];

/** Each kind in words, as summaries and annotation titles print it. */
export const KIND_WORDS: Record<ExplanationKind, string> = {
  spike: 'spike',
  dip: 'dip',
  level_shift: 'level shift',
  variance_change: 'variance change',
  seasonal_mismatch: 'seasonal mismatch',
  rate_of_change: 'abrupt change',
};
