/**
 * The network-wide detector (network/), measured two ways.
 *
 * Detection: a synthetic group of links on one shared traffic curve (a daily cycle and ±6 % of common
 * noise every link sees), each with a little noise of its own; now and then some of one link's traffic
 * moves to another for 30 min to 2 h. Each link's deviation stays inside the swing it always has, but the
 * group's vector leaves its normal subspace. Recall (events with an episode during them) and false
 * episodes per day (episodes during no event), for the PCA detector on the group and for the per-series
 * `auto` detector on each link, side by side, after a warm-up of 3 days.
 *
 * Cost: per group of 10 / 100 / 1,000 series, a refit (the eigendecomposition), a push (scoring one
 * vector) and the detector's memory with its window full.
 */
import { createStream } from '../../engine/index.js';
import { NetworkDetector, DEFAULT_NETWORK_OPTIONS } from '../../network/detector.js';
import { SubspaceModel } from '../../network/subspace.js';
import { obtainGc } from './memory.js';
import { gaussian, median, nowMs, seededRandom } from './stats.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

export interface NetworkBenchOptions {
  detection: {
    links: number;
    days: number;
    stepMs: number;
    eventsPerDay: number;
    seed: number;
    /** One run per entry: the links follow this many daily curves (phases 0–12 h apart), each its own noise. */
    curves: readonly number[];
  };
  cost: { sizes: readonly number[]; pushes: number; fits: number };
}

export const NETWORK_FULL: NetworkBenchOptions = {
  detection: { links: 10, days: 28, stepMs: 5 * MINUTE, eventsPerDay: 2, seed: 20260116, curves: [1, 3] },
  cost: { sizes: [10, 100, 1000], pushes: 200, fits: 5 },
};

export const NETWORK_QUICK: NetworkBenchOptions = {
  detection: { links: 10, days: 10, stepMs: 5 * MINUTE, eventsPerDay: 2, seed: 20260116, curves: [1, 3] },
  cost: { sizes: [10, 100, 1000], pushes: 50, fits: 1 },
};

/** Days at the start while both detectors learn: neither their events nor their episodes count. */
const WARMUP_DAYS = 3;

export interface MoveEvent {
  start: number;
  end: number;
  from: number;
  to: number;
  /** Share of `from`'s traffic moved to `to`. */
  share: number;
}

export interface DetectionRow {
  detector: string;
  /** Daily curves the links follow (1: all the same). */
  curves: number;
  events: number;
  detected: number;
  recall: number;
  falseEpisodes: number;
  falsePerDay: number;
  /** Episodes of the largest single link's own noise band (auto) / of the group (pca). */
  episodes: number;
}

export interface CostRow {
  series: number;
  window: number;
  components: number;
  fitMs: number;
  pushMs: number;
  /** Heap + array buffers held by one detector with its window full. */
  bytes: number;
}

export interface NetworkBenchResult {
  detection: { links: number; days: number; stepMs: number; rows: DetectionRow[] };
  cost: CostRow[];
}

/** The group's values at every step, and the events moving traffic. */
export function movingTrafficGroup(o: Omit<NetworkBenchOptions['detection'], 'curves'> & { curves: number }) {
  const random = seededRandom(o.seed);
  const steps = Math.floor((o.days * DAY) / o.stepMs);
  const t0 = Date.UTC(2026, 0, 5);
  const levels = Array.from({ length: o.links }, () => 2e8 + random() * 8e8);
  const events: MoveEvent[] = [];
  const total = Math.round(o.days * o.eventsPerDay);
  for (let i = 0; i < total; i++) {
    const start = t0 + Math.floor(((i + random() * 0.5) * DAY) / o.eventsPerDay / o.stepMs) * o.stepMs;
    const duration = (30 + Math.floor(random() * 4) * 30) * MINUTE;
    const from = Math.floor(random() * o.links);
    const to = (from + 1 + Math.floor(random() * (o.links - 1))) % o.links;
    events.push({ start, end: start + duration - o.stepMs, from, to, share: 0.05 + random() * 0.05 });
  }
  const timestamps: number[] = [];
  const values: number[][] = Array.from({ length: o.links }, () => []);
  for (let s = 0; s < steps; s++) {
    const t = t0 + s * o.stepMs;
    timestamps.push(t);
    const hour = ((t % DAY) / DAY) * 24;
    // Curve c peaks 12c/curves hours later than curve 0; link j follows curve j mod curves.
    const curve = Array.from({ length: o.curves }, (_, c) => {
      const daily = 1 + 0.5 * Math.sin(((hour - 9 - (12 * c) / o.curves) / 24) * 2 * Math.PI);
      return daily * (1 + 0.03 * gaussian(random));
    });
    const row = levels.map((level, j) => level * curve[j % o.curves] * (1 + 0.004 * gaussian(random)));
    for (const e of events) {
      if (t < e.start || t > e.end) continue;
      const moved = e.share * levels[e.from] * curve[e.from % o.curves];
      row[e.from] -= moved;
      row[e.to] += moved;
    }
    row.forEach((v, j) => values[j].push(v));
  }
  return { timestamps, values, events, warmupEnd: t0 + WARMUP_DAYS * DAY };
}

interface Span {
  start: number;
  end: number;
}

function judge(
  detector: string,
  curves: number,
  episodes: Span[],
  events: MoveEvent[],
  warmupEnd: number,
  days: number,
): DetectionRow {
  const counted = events.filter((e) => e.start >= warmupEnd);
  // An episode may begin up to 2 steps after the event ends (the last moved point) and still be its.
  const grace = 10 * MINUTE;
  const overlaps = (s: Span, e: MoveEvent) => s.start <= e.end + grace && s.end >= e.start;
  const after = episodes.filter((s) => s.start >= warmupEnd);
  const detected = counted.filter((e) => after.some((s) => overlaps(s, e))).length;
  const falseEpisodes = after.filter((s) => !events.some((e) => overlaps(s, e))).length;
  const evaluatedDays = days - WARMUP_DAYS;
  return {
    detector,
    curves,
    events: counted.length,
    detected,
    recall: counted.length ? detected / counted.length : 0,
    falseEpisodes,
    falsePerDay: falseEpisodes / evaluatedDays,
    episodes: after.length,
  };
}

export function measureDetection(o: NetworkBenchOptions['detection']): NetworkBenchResult['detection'] {
  const rows = o.curves.flatMap((curves) => detectionRows({ ...o, curves }));
  return { links: o.links, days: o.days, stepMs: o.stepMs, rows };
}

function detectionRows(
  o: Omit<NetworkBenchOptions['detection'], 'curves'> & { curves: number },
): DetectionRow[] {
  const { timestamps, values, events, warmupEnd } = movingTrafficGroup(o);
  // PCA on the group.
  const detector = new NetworkDetector(o.links);
  for (let s = 0; s < timestamps.length; s++)
    detector.push(
      timestamps[s],
      values.map((v) => v[s]),
    );
  const pca = judge('pca (group)', o.curves, [...detector.episodes()], events, warmupEnd, o.days);
  // auto on each link alone; an event counts as found when any link has an episode during it.
  const autoEpisodes: Span[] = [];
  for (const series of values) {
    const stream = createStream({ detector: 'auto', options: { causal: true }, stepMs: o.stepMs });
    for (let s = 0; s < timestamps.length; s++) stream.push(timestamps[s], series[s]);
    autoEpisodes.push(...stream.episodes());
  }
  const auto = judge('auto (per link)', o.curves, autoEpisodes, events, warmupEnd, o.days);
  return [pca, auto];
}

/** A few full GCs: one may leave what the next frees. */
function settle(gc: () => void): void {
  for (let i = 0; i < 3; i++) gc();
}

/** Median time of fitting a window of `window` vectors, in its own scope so the rows are garbage after. */
function timeFits(window: number, fits: number, vector: (s: number) => number[]) {
  const rows = Array.from({ length: window }, (_, s) => Float64Array.from(vector(s)));
  const times: number[] = [];
  let components = 0;
  for (let i = 0; i < fits; i++) {
    const t = nowMs();
    components = SubspaceModel.fit(rows).k;
    times.push(nowMs() - t);
  }
  return { fitMs: median(times), components };
}

export function measureCost(o: NetworkBenchOptions['cost']): CostRow[] {
  const { gc } = obtainGc();
  const rows: CostRow[] = [];
  const window = DEFAULT_NETWORK_OPTIONS.window;
  let detectors: NetworkDetector[] = [];
  for (const n of o.sizes) {
    const random = seededRandom(n);
    const levels = Array.from({ length: n }, () => 1 + random());
    const vector = (s: number) => {
      const common = 1 + 0.5 * Math.sin((s / 288) * 2 * Math.PI) + 0.03 * gaussian(random);
      return levels.map((l) => l * common * (1 + 0.004 * gaussian(random)));
    };
    const { fitMs, components } = timeFits(window, o.fits, vector);
    // Pushes without refits (refitEvery beyond them): the scoring cost alone.
    // The previous size's detectors are let go first, or their freeing would count against this one.
    detectors = [];
    settle(gc);
    const before = process.memoryUsage();
    // Several detectors for a small group, so its memory is above the heap's noise.
    const copies = Math.max(1, Math.round(2000 / n));
    detectors = Array.from({ length: copies }, () => new NetworkDetector(n, { refitEvery: Infinity }));
    for (const d of detectors) for (let s = 0; s < window; s++) d.push(s, vector(s));
    const [detector] = detectors;
    const pushes: number[] = [];
    for (let s = window; s < window + o.pushes; s++) {
      const x = vector(s);
      const t = nowMs();
      detector.push(s, x);
      pushes.push(nowMs() - t);
    }
    settle(gc);
    const after = process.memoryUsage();
    rows.push({
      series: n,
      window,
      components,
      fitMs,
      pushMs: median(pushes),
      bytes:
        Math.max(0, after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / copies,
    });
  }
  return rows;
}

export function measureNetwork(
  o: NetworkBenchOptions,
  onStep: (label: string) => void = () => {},
): NetworkBenchResult {
  const detection = measureDetection(o.detection);
  onStep('detection');
  const cost = measureCost(o.cost);
  onStep('cost');
  return { detection, cost };
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

export function formatNetworkReport(r: NetworkBenchResult): string {
  const d = r.detection;
  const lines: string[] = [
    '',
    `Network-wide detection (PCA subspace) — traffic moving between ${d.links} links on 1 or 3 daily curves, ${d.days} days at ${d.stepMs / MINUTE} min (first ${WARMUP_DAYS} days learning):`,
    '',
    'curves  detector          events  found  recall  false episodes  false/day',
  ];
  for (const row of d.rows) {
    lines.push(
      `${String(row.curves).padStart(6)}  ${row.detector.padEnd(17)} ${String(row.events).padStart(6)} ${String(row.detected).padStart(6)} ${pct(row.recall).padStart(7)} ${String(row.falseEpisodes).padStart(15)} ${row.falsePerDay.toFixed(2).padStart(10)}`,
    );
  }
  lines.push('', 'Cost per group (window 288 vectors; a refit every 24 steps by default):', '');
  lines.push('series  components   refit ms   push ms   memory');
  for (const c of r.cost) {
    lines.push(
      `${String(c.series).padStart(6)} ${String(c.components).padStart(11)} ${c.fitMs.toFixed(1).padStart(10)} ${c.pushMs.toFixed(3).padStart(9)}   ${size(c.bytes)}`,
    );
  }
  return lines.join('\n') + '\n';
}
