/**
 * A deterministic traffic simulator. The value of every series is a pure function of (seed, timestamp):
 *
 *   value = level × daily(local hour) × weekly(day) × wander(t) × (1 + noise·N(0,1)) × incidents(t)
 *
 * so history can be backfilled for any range and new points emitted as time goes on, with the same
 * numbers every time. Noise is multiplicative (proportional to the level), as it is on real links.
 *
 * Simulated ("world") time runs `speed` times faster than series time: world = timestamp × speed.
 * At speed 1 a day of traffic takes a day; at speed 10 it takes 2.4 hours, and a point every 6 s of
 * series time is a point every simulated minute. Timestamps stay on the real clock either way, so
 * Grafana and Prometheus see points where they expect them.
 */
import type { Labels } from '../source.js';
import {
  buildCatalog,
  METRIC_UNITS,
  SIMULATOR_KINDS,
  type SimSeriesDef,
  type SimulatorKind,
} from './catalog.js';
import { IncidentSchedule, type Incident } from './incidents.js';
import { gaussian, hashString, uniform } from './prng.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface SimulatorOptions {
  seed?: number;
  /** Simulated ms per series ms (default 1: real time). */
  speed?: number;
  /** Families of series produced (default all). The incident schedule does not depend on this. */
  kinds?: readonly SimulatorKind[];
  /** Set false for the undisturbed baseline (tests compare against it). */
  incidents?: boolean;
  /** One incident per slot of this much simulated time (default 2 h). */
  incidentEveryMs?: number;
  /** Counters tick once per this many series ms (default 1000, like a 1 s hardware counter). */
  counterResolutionMs?: number;
}

export interface CounterReset {
  labels: Labels;
  /** Series timestamp at which the counter restarts from 0. */
  time: number;
}

export interface SimulatedSeries {
  key: string;
  labels: Labels;
  kind: SimulatorKind;
  /** Grafana unit id of the values as scored (a counter's: of its rate). */
  unit: string;
}

interface CounterCache {
  resetAt: number;
  ticks: number;
  total: number;
}

/** Slow random wander (weather, routing changes): three seeded sinusoids of 40 min … 5 h. */
interface Wander {
  periodW: number;
  phase: number;
  amplitude: number;
}

export class TrafficSimulator {
  readonly seed: number;
  readonly speed: number;
  private readonly kinds: ReadonlySet<SimulatorKind>;
  private readonly withIncidents: boolean;
  private readonly counterResolution: number;
  private readonly catalog: SimSeriesDef[];
  private readonly byKey: Map<string, SimSeriesDef>;
  private readonly wanders = new Map<string, Wander[]>();
  private readonly counterCache = new Map<string, CounterCache>();
  private readonly schedule: IncidentSchedule;

  constructor(options: SimulatorOptions = {}) {
    this.seed = options.seed ?? 1;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0 && Number.isFinite(this.speed))) {
      throw new Error(`simulator speed must be a positive number, got ${options.speed}`);
    }
    this.kinds = new Set(options.kinds ?? SIMULATOR_KINDS);
    this.withIncidents = options.incidents ?? true;
    this.counterResolution = options.counterResolutionMs ?? 1000;
    this.catalog = buildCatalog();
    this.byKey = new Map(this.catalog.map((d) => [d.key, d]));
    this.schedule = new IncidentSchedule(this.catalog, {
      seed: this.seed,
      speed: this.speed,
      slotMs: options.incidentEveryMs ?? 2 * HOUR,
    });
    for (const d of this.catalog) {
      const s = hashString(d.rateOf ?? d.key) ^ this.seed;
      this.wanders.set(
        d.key,
        [0, 1, 2].map((i) => ({
          periodW: (40 + uniform(s, i, 1) * 260) * MINUTE,
          phase: uniform(s, i, 2) * 2 * Math.PI,
          amplitude: 0.01 + uniform(s, i, 3) * 0.025,
        })),
      );
    }
  }

  /** The series this simulator produces (its enabled kinds), in a fixed order. */
  series(): SimulatedSeries[] {
    return this.catalog
      .filter((d) => this.kinds.has(d.kind))
      .map((d) => ({ key: d.key, labels: { ...d.labels }, kind: d.kind, unit: METRIC_UNITS[d.metric] }));
  }

  /** Incidents overlapping [from, to] in series time (empty when incidents are disabled). */
  incidents(from: number, to: number): Incident[] {
    return this.withIncidents ? this.schedule.between(from, to) : [];
  }

  /** Counter resets in [from, to], for every counter series. */
  counterResets(from: number, to: number): CounterReset[] {
    const out: CounterReset[] = [];
    for (const d of this.catalog) {
      if (d.kind !== 'counters') continue;
      const { period, phase } = this.resetCycle(d);
      for (let k = Math.ceil((from - phase) / period); phase + k * period <= to; k++) {
        out.push({ labels: { ...d.labels }, time: phase + k * period });
      }
    }
    return out.sort((a, b) => a.time - b.time);
  }

  /** Value of one series (by key or labels) at a timestamp. */
  valueAt(series: string | Labels, t: number): number {
    const key = typeof series === 'string' ? series : this.keyOf(series);
    const d = this.byKey.get(key);
    if (!d) throw new Error(`the simulator has no series ${key}`);
    return d.kind === 'counters' ? this.counterAt(d, t) : this.rateAt(d, t);
  }

  /** Value without noise or incidents: the seasonal profile the detectors should learn. */
  baselineAt(series: string | Labels, t: number): number {
    const key = typeof series === 'string' ? series : this.keyOf(series);
    const d = this.byKey.get(key);
    if (!d) throw new Error(`the simulator has no series ${key}`);
    return d.level * this.seasonal(d, t * this.speed);
  }

  private keyOf(labels: Labels): string {
    const d = this.catalog.find(
      (c) =>
        Object.keys(c.labels).length === Object.keys(labels).length &&
        Object.entries(c.labels).every(([k, v]) => labels[k] === v),
    );
    if (!d) throw new Error(`the simulator has no series ${JSON.stringify(labels)}`);
    return d.key;
  }

  private seasonal(d: SimSeriesDef, w: number): number {
    const localW = w + d.utcOffset * HOUR;
    const hour = (((localW % DAY) + DAY) % DAY) / HOUR;
    const day = Math.floor(localW / DAY);
    // 1970-01-01 was a Thursday: (day + 4) mod 7 is 0 on Sundays.
    const weekday = (((day + 4) % 7) + 7) % 7;
    const weekend = weekday === 0 || weekday === 6;
    const x = (2 * Math.PI * hour) / 24;
    let daily: number;
    if (d.profile === 'residential') {
      // Trough near 05:00 (about half the mean), broad evening peak near 20:00 (about 1.5× the mean).
      daily =
        1 +
        0.5 * Math.cos(x - (2 * Math.PI * 18.5) / 24) +
        0.12 * Math.cos(2 * (x - (2 * Math.PI * 20.5) / 24));
    } else {
      // Office hours: quiet nights (about 0.4 of the mean), peak early afternoon (about 1.6×).
      daily =
        1 + 0.55 * Math.cos(x - (2 * Math.PI * 14) / 24) + 0.15 * Math.cos(2 * (x - (2 * Math.PI * 11) / 24));
    }
    if (d.metric === 'http_error_ratio') daily = 1 + 0.2 * (daily - 1);
    if (d.metric === 'http_latency_p95_seconds') daily = 1 + 0.3 * (daily - 1);
    const weekly = weekend
      ? d.metric === 'http_error_ratio' || d.metric === 'http_latency_p95_seconds'
        ? 1
        : d.weekend
      : 1;
    return Math.max(0.05, daily) * weekly;
  }

  private rateAt(d: SimSeriesDef, t: number): number {
    const w = t * this.speed;
    let wander = 1;
    for (const c of this.wanders.get(d.key)!)
      wander += c.amplitude * Math.sin((2 * Math.PI * w) / c.periodW + c.phase);
    const noise = 1 + d.noise * Math.max(-3, Math.min(3, gaussian(this.seed, hashString(d.key), t)));
    const incident = this.withIncidents ? this.schedule.factor(d.key, t) : 1;
    return Math.max(0, d.level * this.seasonal(d, w) * wander * noise * incident);
  }

  private resetCycle(d: SimSeriesDef): { period: number; phase: number } {
    const s = hashString(d.key) ^ this.seed;
    // Every 10–18 simulated hours: a reboot or a counter wrap every so often, not every day at the same time.
    const period = Math.round(((10 + 8 * uniform(s, 1)) * HOUR) / this.speed);
    return { period, phase: Math.round(uniform(s, 2) * period) };
  }

  /**
   * Bytes counted since the last reset: the sum of rate × tick over ticks of `counterResolution` ms of
   * series time. Continuing a cached sum adds the same terms in the same order as a fresh sum, so the
   * cache never changes a value.
   */
  private counterAt(d: SimSeriesDef, t: number): number {
    const rate = this.byKey.get(d.rateOf!)!;
    const { period, phase } = this.resetCycle(d);
    const resetAt = phase + Math.floor((t - phase) / period) * period;
    const ticks = Math.floor((t - resetAt) / this.counterResolution);
    let c = this.counterCache.get(d.key);
    if (!c || c.resetAt !== resetAt || c.ticks > ticks) c = { resetAt, ticks: 0, total: 0 };
    const perTick = this.counterResolution / 1000;
    let total = c.total;
    for (let j = c.ticks + 1; j <= ticks; j++)
      total += Math.round(this.rateAt(rate, resetAt + j * this.counterResolution) * perTick);
    this.counterCache.set(d.key, { resetAt, ticks, total });
    return total;
  }
}
