/**
 * The series every measurement runs on. README.md says why they look the way they do; in short:
 * three NAB files for real traffic shapes (taxi demand, tweet volume, EC2 network bytes) and one
 * seeded synthetic 1-minute series with a daily cycle, the shape continuous jobs see most, long
 * enough (~35 days) that the seasonal profile spends most of the run in its steady state.
 */
import { join } from 'node:path';
import { columnIndex, readCsvFile } from '../nab/csv.js';
import { parseNabTimestamp } from '../nab/timestamps.js';
import { gaussian, seededRandom } from './stats.js';
import { weekdayOf } from '../scenarios/traffic.js';

export interface BenchSeries {
  /** Short name used as a table column. */
  name: string;
  /** Where it came from: a NAB data file (relative to data/) or the generator and its seed. */
  source: string;
  timestamps: number[];
  /** null = missing point (a failed scrape), as the API and the streams accept it. */
  values: (number | null)[];
  stepMs: number;
  /** Points per day: the season the peer (augurs MSTL) is told about. Our engine detects its own. */
  period: number;
}

const DAY_MS = 86_400_000;

/** The NAB files the full bench reads (relative to the corpus' data/ folder). */
export const BENCH_NAB_FILES = [
  'realKnownCause/nyc_taxi.csv',
  'realTweets/Twitter_volume_AAPL.csv',
  'realAWSCloudwatch/ec2_network_in_257a54.csv',
] as const;

const SHORT_NAMES: Record<string, string> = {
  'realKnownCause/nyc_taxi.csv': 'nyc_taxi',
  'realTweets/Twitter_volume_AAPL.csv': 'tweets_AAPL',
  'realAWSCloudwatch/ec2_network_in_257a54.csv': 'ec2_net_in',
};

function medianStepMs(timestamps: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) steps.push(timestamps[i] - timestamps[i - 1]);
  steps.sort((a, b) => a - b);
  return steps.length ? steps[steps.length >> 1] : 0;
}

/** One NAB data file, optionally cut to its first `limit` points (quick runs). */
export async function loadNabSeries(
  nabRoot: string,
  relPath: string,
  limit = Infinity,
): Promise<BenchSeries> {
  const path = join(nabRoot, 'data', relPath);
  const table = await readCsvFile(path);
  const ti = columnIndex(table, 'timestamp', path);
  const vi = columnIndex(table, 'value', path);
  const rows = table.rows.slice(0, Math.min(limit, table.rows.length));
  const timestamps = rows.map((r) => parseNabTimestamp(r[ti]));
  const values = rows.map((r) => Number(r[vi]));
  const bad = timestamps.findIndex((t, i) => !Number.isFinite(t) || !Number.isFinite(values[i]));
  if (bad >= 0) throw new Error(`${path}: row ${bad + 2} is not a timestamp,value pair`);
  const stepMs = medianStepMs(timestamps);
  return {
    name: SHORT_NAMES[relPath] ?? relPath.replace(/^.*\//, '').replace(/\.csv$/, ''),
    source: `NAB data/${relPath}`,
    timestamps,
    values,
    stepMs,
    period: Math.max(2, Math.round(DAY_MS / stepMs)),
  };
}

export interface SyntheticOptions {
  points: number;
  stepMs?: number;
  seed?: number;
  /** First timestamp; default 2024-01-01T00:00Z, a Monday, so weekends fall on days 5–6. */
  start?: number;
}

export const DEFAULT_SYNTHETIC_SEED = 20240101;

/**
 * Request-rate-like traffic: a daily curve (night trough, afternoon peak, evening shoulder), quieter
 * weekends, 3 % multiplicative noise, 0.05 % missing points, and one incident every ~2.5 days drawn
 * from the kinds the detectors explain (spike, outage dip, level shift, variance burst). Seeded, so
 * every run and every commit measures the same points.
 */
export function syntheticTraffic({
  points,
  stepMs = 60_000,
  seed = DEFAULT_SYNTHETIC_SEED,
  start = Date.UTC(2024, 0, 1),
}: SyntheticOptions): BenchSeries {
  const random = seededRandom(seed);
  const perDay = Math.round(DAY_MS / stepMs);
  const base = 5000;
  const timestamps = new Array<number>(points);
  const values = new Array<number | null>(points);

  // The incident schedule: [start index, length, kind], drawn up front so it does not depend on noise.
  const incidents: { at: number; len: number; kind: number }[] = [];
  for (let at = Math.round(perDay * 1.5); at < points; at += Math.round(perDay * (2 + random()))) {
    const kind = Math.floor(random() * 4);
    const len = [2, Math.round(perDay / 72), Math.round(perDay / 8), Math.round(perDay / 24)][kind];
    incidents.push({ at, len: Math.max(1, len), kind });
  }
  let next = 0;

  for (let i = 0; i < points; i++) {
    const t = start + i * stepMs;
    timestamps[i] = t;
    const hour = ((t % DAY_MS) / 3_600_000 + 24) % 24;
    const daily =
      0.3 + 0.7 * Math.exp(-(((hour - 14) / 5) ** 2)) + 0.25 * Math.exp(-(((hour - 21) / 1.5) ** 2));
    const weekly = weekdayOf(t) >= 5 ? 0.7 : 1;
    let sigma = 0.03;
    let factor = 1;
    while (next < incidents.length && incidents[next].at + incidents[next].len <= i) next++;
    const inc = incidents[next];
    if (inc && i >= inc.at) {
      if (inc.kind === 0) factor = 3;
      else if (inc.kind === 1) factor = 0.05;
      else if (inc.kind === 2) factor = 1.4;
      else sigma = 0.15;
    }
    const v = base * daily * weekly * factor * Math.exp(sigma * gaussian(random));
    values[i] = random() < 0.0005 ? null : Math.round(v * 100) / 100;
  }
  return {
    name: `synthetic_${Math.round(stepMs / 60_000)}min`,
    source: `synthetic traffic, seed ${seed}, ${points} points`,
    timestamps,
    values,
    stepMs,
    period: perDay,
  };
}
