/**
 * The incident schedule: a pure function of the seed. Simulated (world) time is cut into slots of
 * `slotMs` (2 h by default); every slot holds exactly one incident, the kinds taking turns, with its
 * target and start inside the slot drawn from the seed. Tests and the README read the same schedule
 * the values are built from, so "an anomaly is found where an incident is" can be asserted.
 */
import type { Labels } from '../source.js';
import { LINKS, SERVICES, linkGroup, serviceGroup, type SimSeriesDef } from './catalog.js';
import { hash32, uniform } from './prng.js';

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

  constructor(
    private readonly catalog: readonly SimSeriesDef[],
    private readonly options: ScheduleOptions,
  ) {
    this.byKey = new Map(catalog.map((d) => [d.key, d]));
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
    const kind =
      INCIDENT_KINDS[mod(slot + (hash32(seed, 11) % INCIDENT_KINDS.length), INCIDENT_KINDS.length)];
    // Start on a whole simulated minute in the first half of the slot, so nothing spills past the next one
    // except the long kinds (level shift, ramp), which overlap later slots on purpose.
    const startW = slot * slotMs + Math.floor(uniform(seed, slot, 1) * (slotMs / 2 / MINUTE)) * MINUTE;
    const pick = <T>(items: readonly T[], salt: number): T =>
      items[Math.floor(uniform(seed, slot, salt) * items.length)];
    const u = uniform(seed, slot, 3);
    const effects = new Map<string, Effect>();
    const series = (pred: (d: SimSeriesDef) => boolean) => this.catalog.filter(pred);
    const alsoCounters = (d: SimSeriesDef) =>
      this.catalog.filter((c) => c.key === d.key || (c.kind === 'counters' && c.rateOf === d.key));

    switch (kind) {
      case 'ddos': {
        const magnitude = 5 + 4 * u;
        const onLink = uniform(seed, slot, 4) < 0.6;
        if (onLink) {
          const link = linkGroup(pick(LINKS, 2));
          for (const d of series((d) => d.group === link && d.direction === 'in'))
            effects.set(d.key, constant(magnitude));
          return plan(link, magnitude, 'up', `DDoS: inbound traffic on ${link} ×${magnitude.toFixed(1)}`);
        }
        const svc = serviceGroup(pick(SERVICES, 2));
        for (const d of series((d) => d.group === svc)) {
          const f =
            d.metric === 'http_requests_per_second' ? magnitude : d.metric === 'http_error_ratio' ? 4 : 1.6;
          effects.set(d.key, constant(f));
        }
        return plan(svc, magnitude, 'up', `DDoS: requests to ${svc} ×${magnitude.toFixed(1)}`);
      }
      case 'outage': {
        const link = linkGroup(pick(LINKS, 2));
        for (const d of series((d) => d.group === link)) effects.set(d.key, constant(0.01));
        return plan(link, 0.01, 'down', `outage: ${link} carries almost nothing`);
      }
      case 'level_shift': {
        const candidates = series(
          (d) =>
            d.kind === 'traffic' ||
            d.metric === 'http_requests_per_second' ||
            d.metric === 'http_latency_p95_seconds',
        );
        const target = pick(candidates, 2);
        const up = uniform(seed, slot, 4) < 0.5;
        const magnitude = up ? 1.6 + 0.3 * u : 0.45 + 0.15 * u;
        for (const d of alsoCounters(target)) effects.set(d.key, constant(magnitude));
        return plan(
          target.group,
          magnitude,
          up ? 'up' : 'down',
          `level shift: ${describeSeries(target)} ×${magnitude.toFixed(2)}`,
        );
      }
      case 'slow_ramp': {
        const candidates = series((d) => d.kind === 'traffic' || d.metric === 'http_latency_p95_seconds');
        const target = pick(candidates, 2);
        const magnitude = target.metric === 'http_latency_p95_seconds' ? 3 + u : 2 + 0.5 * u;
        const ramp: Effect = (progress) => 1 + (magnitude - 1) * progress;
        for (const d of alsoCounters(target)) effects.set(d.key, ramp);
        return plan(
          target.group,
          magnitude,
          'up',
          `slow ramp: ${describeSeries(target)} drifts up to ×${magnitude.toFixed(1)}`,
        );
      }
      case 'flapping': {
        const link = linkGroup(pick(LINKS, 2));
        const flap: Effect = (_p, offsetW) => (offsetW % FLAP_PERIOD_MS < FLAP_PERIOD_MS / 2 ? 0.02 : 1);
        for (const d of series((d) => d.group === link)) effects.set(d.key, flap);
        return plan(
          link,
          0.02,
          'down',
          `flapping: ${link} goes down and up every ${FLAP_PERIOD_MS / MINUTE} min`,
        );
      }
    }

    function plan(group: string, magnitude: number, direction: 'up' | 'down', summary: string): Planned {
      return { kind, startW, group, effects, magnitude, direction, summary };
    }
  }
}

function describeSeries(d: SimSeriesDef): string {
  return d.direction ? `${d.metric} ${d.direction} on ${d.group}` : `${d.metric} on ${d.group}`;
}
