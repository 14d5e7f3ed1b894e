/**
 * Small hand-made scorer responses for unit tests, shaped like the real ones (the contract test in
 * test/contract checks the plugin against a live scorer).
 */
import type {
  Episode,
  Incident,
  IncidentMember,
  JobSeriesResponse,
  JobStatus,
  ScoredSeries,
} from '../api/types';

export const T0 = Date.UTC(2025, 0, 13, 8, 0, 0);
export const STEP = 60_000;

export function episode(overrides: Partial<Episode> = {}): Episode {
  return {
    start: T0 + 2 * STEP,
    end: T0 + 3 * STEP,
    peakTime: T0 + 2 * STEP,
    peakScore: 3.5,
    severity: 82.4,
    severityLabel: 'critical',
    direction: 'up',
    open: false,
    explanation: {
      kind: 'spike',
      summary: 'spike up: 5e+9 vs expected 5e+8 (normal 4e+8–6e+8); driven by level_vs_ewma 32%',
      expected: 5e8,
      actual: 5e9,
      features: [{ name: 'level_vs_ewma', contribution: 0.32 }],
    },
    ...overrides,
  };
}

/** Four points, the third and fourth anomalous (one episode), a missing value at the second. */
export function series(labels: Record<string, string>, overrides: Partial<ScoredSeries> = {}): ScoredSeries {
  return {
    labels,
    // As a PromQL query without a unit gives; tests of the scorer's unit set it.
    unit: null,
    state: 'ok',
    detector: 'auto',
    timestamps: [T0, T0 + STEP, T0 + 2 * STEP, T0 + 3 * STEP],
    values: [5e8, null, 5e9, 4e9],
    score: [0.2, 0, 3.5, 2.1],
    expected: [5.1e8, 5e8, 5e8, 5e8],
    lower: [4e8, 4e8, 4e8, 4e8],
    upper: [6e8, 6e8, 6e8, 6e8],
    anomaly: [false, false, true, true],
    direction: [null, null, 'up', 'up'],
    episodes: [episode()],
    ...overrides,
  };
}

export const AMS_IN = {
  metric: 'interface_bytes_per_second',
  site: 'ams',
  link: 'transit-1',
  direction: 'in',
};
export const FRA_IN = { ...AMS_IN, site: 'fra' };
export const ERRORS = { metric: 'http_error_ratio', site: 'ams', service: 'api' };

export function jobSeriesResponse(all: ScoredSeries[] = [series(AMS_IN), series(FRA_IN)]): JobSeriesResponse {
  return {
    job: 'simulator',
    from: T0,
    to: T0 + 3 * STEP,
    series: all.map((s) => ({ ...s, model: null, quality: 'ok' as const, periodMs: null })),
  };
}

export function jobStatus(overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    name: 'simulator',
    source: 'simulator',
    detector: 'auto',
    sensitivity: 50,
    intervalMs: 15000,
    stepMs: 6000,
    health: 'ok',
    running: false,
    lastRunAt: T0,
    lastRunDurationMs: 950,
    lastSuccessAt: T0,
    dataUntil: T0,
    scoredUntil: null,
    models: null,
    runs: 3,
    errors: 0,
    consecutiveErrors: 0,
    missedRuns: 0,
    overruns: 0,
    lastError: null,
    series: 23,
    pointsScored: 66263,
    openEpisodes: 1,
    droppedSeries: 0,
    droppedLabelSeries: 0,
    ...overrides,
  };
}

function member(
  link: string,
  start: number,
  severity: number,
  label: Incident['severityLabel'],
): IncidentMember {
  return {
    labels: { site: 'ams', link },
    start,
    end: start + 20 * STEP,
    open: false,
    peakTime: start + STEP,
    peakScore: 3,
    severity,
    severityLabel: label,
  };
}

/** A site outage at ams: three of four links anomalous, transit-1 first, as the scorer tells it. */
export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: '3f9c2a01b7de',
    kind: 'series',
    group: { site: 'ams' },
    start: T0 + 5 * STEP,
    end: T0 + 27 * STEP,
    open: false,
    severity: 91,
    severityLabel: 'critical',
    origin: { site: 'ams', link: 'transit-1' },
    members: [
      member('transit-1', T0 + 5 * STEP, 91, 'critical'),
      member('transit-2', T0 + 6 * STEP, 60, 'major'),
      member('ix', T0 + 7 * STEP, 30, 'minor'),
    ],
    groupSize: 4,
    network: null,
    summary: '3 of 4 series at site=ams anomalous, first link=transit-1 at 08:05 UTC',
    ...overrides,
  };
}
