/**
 * The incident schedule: a pure function of the seed. Simulated (world) time is cut into slots of
 * `slotMs` (2 h by default); every slot holds exactly one incident. The kinds take turns, the links and
 * services are hit round-robin in a seeded order (so no series is hit again and again while others
 * stay quiet), and the start within the slot and the magnitude are drawn from the seed. Tests and the README read the same schedule
 * the values are built from, so "an anomaly is found where an incident is" can be asserted.
 */
import type { Labels } from '../source.js';
import { LINKS, SERVICES, linkGroup, serviceGroup, type SimSeriesDef } from './catalog.js';
import { uniform } from './prng.js';

export const INCIDENT_KINDS = ['ddos', 'outage', 'level_shift', 'slow_ramp', 'flapping'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long each kind lasts, in simulated time. */
export const INCIDENT_DURATION_MS: Readonly<Record<IncidentKind, number>> = {
  ddos: 20 * MINUTE,
  outage: 25 * MINUTE,
  level_shift: 8 * HOUR,
  slow_ramp: 3 * HOUR,
  flapping: 40 * MINUTE,
};

/** Flapping: the link is down for the first half of every period and up for the second. */
export const FLAP_PERIOD_MS = 6 * MINUTE;

const MAX_DURATION_MS = Math.max(...Object.values(INCIDENT_DURATION_MS));

export interface Incident {
  /** Stable id: kind and slot number. */
  id: string;
  kind: IncidentKind;
  /** Series timestamps (epoch ms, the same clock as the points): start inclusive, end exclusive. */
  start: number;
  end: number;
  /** Which way the affected values move (flapping: down, it drops the link on and off). */
  direction: 'up' | 'down';
  /** The link or service hit ("ams/transit-1", "fra/api"). */
  group: string;
  /** The series that shows the incident most clearly (inbound traffic, requests, latency). */
  primary: Labels;
  /** Label sets of every series the incident changes (of all kinds, whether a job fetches them or not). */
  targets: Labels[];
  /** Multiplier at full effect: 6 = six times the normal level, 0.01 = near zero. */
  magnitude: number;
  summary: string;
}

interface Planned {
  kind: IncidentKind;
  startW: number;
  group: string;
  primary: string;
  /** Keys of affected series → how each one is affected. */
  effects: Map<string, Effect>;
  magnitude: number;
  direction: 'up' | 'down';
  summary: string;
}

/** Multiplier applied to a series at a given progress (0 at the start, 1 at the end) and world offset. */
type Effect = (progress: number, offsetW: number) => number;

export interface ScheduleOptions {
  seed: number;
  /** Simulated ms per series ms (1 = real time). */
  speed: number;
  /** Slot length in simulated ms. */
  slotMs: number;
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;
const constant =
  (factor: number): Effect =>
  () =>
    factor;

export class IncidentSchedule {
  private readonly cache = new Map<number, Planned>();
  private readonly byKey: Map<string, SimSeriesDef>;
  private readonly groupOrder: string[];

  constructor(
    private readonly catalog: readonly SimSeriesDef[],
    private readonly options: ScheduleOptions,
  ) {
    this.byKey = new Map(catalog.map((d) => [d.key, d]));
    // Seeded Fisher–Yates shuffle of the links and services.
    const groups = [...LINKS.map(linkGroup), ...SERVICES.map(serviceGroup)];
    for (let i = groups.length - 1; i > 0; i--) {
      const j = Math.floor(uniform(options.seed, 100, i) * (i + 1));
      [groups[i], groups[j]] = [groups[j], groups[i]];
    }
    this.groupOrder = groups;
  }

  /** Incidents overlapping [from, to] (series timestamps), by start. */
  between(from: number, to: number): Incident[] {
    const { speed, slotMs } = this.options;
    const first = Math.floor((from * speed - MAX_DURATION_MS) / slotMs);
    const last = Math.floor((to * speed) / slotMs);
    const out: Incident[] = [];
    for (let slot = first; slot <= last; slot++) {
      const incident = this.describe(slot);
      if (incident.end > from && incident.start <= to) out.push(incident);
    }
    return out;
  }

  /** Product of the effects of every incident on one series at a timestamp (1 when none applies). */
  factor(seriesKey: string, t: number): number {
    const { speed, slotMs } = this.options;
    const w = t * speed;
    let factor = 1;
    const first = Math.floor((w - MAX_DURATION_MS) / slotMs);
    const last = Math.floor(w / slotMs);
    for (let slot = first; slot <= last; slot++) {
      const p = this.plan(slot);
      const effect = p.effects.get(seriesKey);
      if (!effect) continue;
      const offset = w - p.startW;
      const duration = INCIDENT_DURATION_MS[p.kind];
      if (offset < 0 || offset >= duration) continue;
      factor *= effect(offset / duration, offset);
    }
    return factor;
  }

  private describe(slot: number): Incident {
    const p = this.plan(slot);
    const { speed } = this.options;
    return {
      id: `${p.kind}-${slot}`,
      kind: p.kind,
      start: Math.round(p.startW / speed),
      end: Math.round((p.startW + INCIDENT_DURATION_MS[p.kind]) / speed),
      direction: p.direction,
      group: p.group,
      primary: { ...this.byKey.get(p.primary)!.labels },
      targets: [...p.effects.keys()].map((k) => ({ ...this.byKey.get(k)!.labels })),
      magnitude: p.magnitude,
      summary: p.summary,
    };
  }

  private plan(slot: number): Planned {
    let p = this.cache.get(slot);
    if (!p) {
      p = this.draw(slot);
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(slot, p);
    }
    return p;
  }

  private draw(slot: number): Planned {
    const { seed, slotMs } = this.options;
    const kind = INCIDENT_KINDS[mod(slot, INCIDENT_KINDS.length)];
    // Round-robin over the links and services in a seeded order, shifted by one every cycle, so every
    // group is hit once per cycle (20 simulated hours by default) and meets every kind in turn.
    const groups = this.groupOrder;
    const cycle = Math.floor(slot / groups.length);
    const group = groups[mod(slot + cycle, groups.length)];
    // Start on a whole simulated minute in the first half of the slot, so nothing spills past the next one
    // except the long kinds (level shift, ramp), which overlap later slots on purpose.
    const startW = slot * slotMs + Math.floor(uniform(seed, slot, 1) * (slotMs / 2 / MINUTE)) * MINUTE;
    const u = uniform(seed, slot, 3);
    const coin = uniform(seed, slot, 4) < 0.5;
    const members = this.catalog.filter((d) => d.group === group);
    const isLink = members.some((d) => d.kind === 'traffic');
    const effects = new Map<string, Effect>();
    /** A rate series and the counter integrating it, if any. */
    const withCounter = (d: SimSeriesDef) => members.filter((c) => c.key === d.key || c.rateOf === d.key);
    const set = (series: SimSeriesDef[], effect: Effect) => {
      for (const d of series) effects.set(d.key, effect);
    };
    const traffic = (direction: 'in' | 'out') =>
      members.find((d) => d.kind === 'traffic' && d.direction === direction)!;
    const metric = (m: SimSeriesDef['metric']) => members.find((d) => d.metric === m)!;
    const flap: Effect = (_p, offsetW) => (offsetW % FLAP_PERIOD_MS < FLAP_PERIOD_MS / 2 ? 0.02 : 1);
    const plan = (
      primary: SimSeriesDef,
      magnitude: number,
      direction: 'up' | 'down',
      summary: string,
    ): Planned => ({
      kind,
      startW,
      group,
      primary: primary.key,
      effects,
      magnitude,
      direction,
      summary,
    });

    switch (kind) {
      case 'ddos': {
        const magnitude = 5 + 4 * u;
        if (isLink) {
          const target = traffic('in');
          set(withCounter(target), constant(magnitude));
          return plan(target, magnitude, 'up', `DDoS: inbound traffic on ${group} ×${magnitude.toFixed(1)}`);
        }
        const target = metric('http_requests_per_second');
        set([target], constant(magnitude));
        set([metric('http_error_ratio')], constant(4));
        set([metric('http_latency_p95_seconds')], constant(1.6));
        return plan(target, magnitude, 'up', `DDoS: requests to ${group} ×${magnitude.toFixed(1)}`);
      }
      case 'outage': {
        if (isLink) {
          set(members, constant(0.01));
          return plan(traffic('in'), 0.01, 'down', `outage: ${group} carries almost nothing`);
        }
        const target = metric('http_requests_per_second');
        set([target], constant(0.01));
        set([metric('http_error_ratio')], constant(25));
        set([metric('http_latency_p95_seconds')], constant(3));
        return plan(target, 0.01, 'down', `outage: ${group} serves almost no requests`);
      }
      case 'level_shift': {
        const target = isLink
          ? traffic(coin ? 'in' : 'out')
          : metric(coin ? 'http_requests_per_second' : 'http_latency_p95_seconds');
        const up = uniform(seed, slot, 5) < 0.5;
        const magnitude = up ? 1.6 + 0.3 * u : 0.45 + 0.15 * u;
        set(withCounter(target), constant(magnitude));
        return plan(
          target,
          magnitude,
          up ? 'up' : 'down',
          `level shift: ${describeSeries(target)} ×${magnitude.toFixed(2)}`,
        );
      }
      case 'slow_ramp': {
        const target = isLink ? traffic(coin ? 'in' : 'out') : metric('http_latency_p95_seconds');
        const magnitude = isLink ? 2 + 0.5 * u : 3 + u;
        set(withCounter(target), (progress) => 1 + (magnitude - 1) * progress);
        return plan(
          target,
          magnitude,
          'up',
          `slow ramp: ${describeSeries(target)} drifts up to ×${magnitude.toFixed(1)}`,
        );
      }
      case 'flapping': {
        const period = `${FLAP_PERIOD_MS / MINUTE} min`;
        if (isLink) {
          set(members, flap);
          return plan(traffic('in'), 0.02, 'down', `flapping: ${group} goes down and up every ${period}`);
        }
        const target = metric('http_requests_per_second');
        set([target], flap);
        set([metric('http_error_ratio')], (p, offsetW) => (flap(p, offsetW) < 1 ? 10 : 1));
        return plan(target, 0.02, 'down', `flapping: ${group} fails health checks every ${period}`);
      }
    }
  }
}

function describeSeries(d: SimSeriesDef): string {
  return d.direction ? `${d.metric} ${d.direction} on ${d.group}` : `${d.metric} on ${d.group}`;
}
