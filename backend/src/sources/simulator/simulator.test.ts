import { readFileSync } from 'node:fs';
import {
  FLAP_PERIOD_MS,
  INCIDENT_KINDS,
  LINKS,
  SERVICES,
  SimulatorSource,
  TrafficSimulator,
  type Incident,
} from './index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC. */
const T0 = Date.UTC(2025, 0, 13);

const transitIn = { metric: 'interface_bytes_per_second', site: 'ams', link: 'transit-1', direction: 'in' };
const apiRequests = { metric: 'http_requests_per_second', site: 'ams', service: 'api' };

describe('TrafficSimulator', () => {
  test('the same seed gives the same values, another seed different ones', () => {
    const a = new TrafficSimulator({ seed: 7 });
    const b = new TrafficSimulator({ seed: 7 });
    const c = new TrafficSimulator({ seed: 8 });
    const times = [T0, T0 + 17 * MINUTE, T0 + 3 * DAY + 5 * HOUR];
    for (const s of a.series().filter((s) => s.kind !== 'counters')) {
      for (const t of times) expect(b.valueAt(s.key, t)).toBe(a.valueAt(s.key, t));
    }
    expect(times.map((t) => c.valueAt(transitIn, t))).not.toEqual(times.map((t) => a.valueAt(transitIn, t)));
  });

  test('a value does not depend on which values were asked before (counters included)', () => {
    const counter = { ...transitIn, metric: 'interface_bytes_total' };
    const fresh = new TrafficSimulator({ seed: 3, speed: 60 });
    const used = new TrafficSimulator({ seed: 3, speed: 60 });
    used.valueAt(counter, T0 + 9 * MINUTE);
    used.valueAt(counter, T0 + 2 * MINUTE);
    expect(used.valueAt(counter, T0 + 5 * MINUTE)).toBe(fresh.valueAt(counter, T0 + 5 * MINUTE));
  });

  test('values are positive and near the configured levels', () => {
    const sim = new TrafficSimulator({ seed: 1, incidents: false });
    for (let h = 0; h < 24; h += 3) {
      const v = sim.valueAt(transitIn, T0 + h * HOUR);
      expect(v).toBeGreaterThan(2e8);
      expect(v).toBeLessThan(2e9);
      const ratio = sim.valueAt({ metric: 'http_error_ratio', site: 'ams', service: 'api' }, T0 + h * HOUR);
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(0.02);
    }
  });

  test('traffic follows a daily profile: evenings are busier than early mornings in local time', () => {
    const sim = new TrafficSimulator({ seed: 2, incidents: false });
    const at = (series: Record<string, string>, utcHour: number) => {
      let sum = 0;
      for (let d = 0; d < 3; d++) sum += sim.valueAt(series, T0 + d * DAY + utcHour * HOUR);
      return sum / 3;
    };
    // ams is UTC+1: 20:00 local is 19:00 UTC, 05:00 local is 04:00 UTC.
    expect(at(transitIn, 19) / at(transitIn, 4)).toBeGreaterThan(2.2);
    // The business profile peaks in the afternoon and is quiet at night.
    expect(at(apiRequests, 13) / at(apiRequests, 2)).toBeGreaterThan(3);
    // nyc is UTC-5: its evening peak comes five hours after ams'.
    const nyc = { ...transitIn, site: 'nyc' };
    expect(at(nyc, 24) / at(nyc, 9)).toBeGreaterThan(2.2);
  });

  test('business traffic drops at the weekend', () => {
    const sim = new TrafficSimulator({ seed: 2, incidents: false });
    const saturday = T0 + 5 * DAY + 13 * HOUR;
    const wednesday = T0 + 2 * DAY + 13 * HOUR;
    expect(sim.baselineAt(apiRequests, saturday) / sim.baselineAt(apiRequests, wednesday)).toBeCloseTo(
      0.55,
      5,
    );
  });

  test('noise is proportional to the level', () => {
    const sim = new TrafficSimulator({ seed: 4, incidents: false });
    const relativeSpread = (utcHour: number) => {
      const rel: number[] = [];
      for (let d = 0; d < 5; d++) {
        for (let m = 0; m < 40; m++) {
          const t = T0 + d * DAY + utcHour * HOUR + m * MINUTE;
          rel.push(sim.valueAt(transitIn, t) / sim.baselineAt(transitIn, t));
        }
      }
      const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
      return Math.sqrt(rel.reduce((a, b) => a + (b - mean) ** 2, 0) / rel.length);
    };
    const peak = relativeSpread(19);
    const trough = relativeSpread(4);
    expect(peak).toBeGreaterThan(0.02);
    expect(peak).toBeLessThan(0.08);
    expect(trough / peak).toBeGreaterThan(0.6);
    expect(trough / peak).toBeLessThan(1.6);
  });

  test('runs faster than real time at speed > 1 with the same shape', () => {
    const real = new TrafficSimulator({ seed: 5, incidents: false });
    const fast = new TrafficSimulator({ seed: 5, speed: 10, incidents: false });
    // At speed 10 the world time at T is 10·T: the baseline is the real-time baseline at 10·T.
    const t = T0 + 37 * MINUTE;
    expect(fast.baselineAt(transitIn, t)).toBeCloseTo(real.baselineAt(transitIn, t * 10), 6);
  });
});

describe('the incident schedule', () => {
  const sim = new TrafficSimulator({ seed: 42 });
  const clean = new TrafficSimulator({ seed: 42, incidents: false });
  const incidents = sim.incidents(T0, T0 + 3 * DAY);
  const rateTargets = (i: Incident) => i.targets.filter((l) => l.metric !== 'interface_bytes_total');
  /** Incident factor alone: noise and seasonality are identical in both simulators. */
  const factor = (labels: Record<string, string>, t: number) =>
    sim.valueAt(labels, t) / clean.valueAt(labels, t);
  const first = (kind: string) => incidents.find((i) => i.kind === kind)!;

  test('puts one incident in every two hours of simulated time, every kind taking turns', () => {
    expect(incidents.length).toBeGreaterThanOrEqual(36);
    expect(new Set(incidents.map((i) => i.kind))).toEqual(new Set(INCIDENT_KINDS));
    for (const i of incidents) {
      expect(i.end).toBeGreaterThan(i.start);
      expect(i.targets.length).toBeGreaterThan(0);
    }
  });

  test('is the same whichever kinds of series are produced', () => {
    const trafficOnly = new TrafficSimulator({ seed: 42, kinds: ['traffic'] });
    expect(trafficOnly.incidents(T0, T0 + DAY)).toEqual(sim.incidents(T0, T0 + DAY));
  });

  test('runs on series time: at speed 10 incidents are ten times shorter and denser', () => {
    const fast = new TrafficSimulator({ seed: 42, speed: 10 }).incidents(T0, T0 + 2 * HOUR);
    expect(fast.length).toBeGreaterThanOrEqual(10);
    const ddos = fast.find((i) => i.kind === 'ddos')!;
    expect(ddos.end - ddos.start).toBe(2 * MINUTE);
  });

  test('hits every link and service once per cycle of ten slots, each meeting every kind in turn', () => {
    const all = sim.incidents(T0, T0 + 10 * DAY);
    const groups = new Set(all.map((i) => i.group));
    expect(groups.size).toBe(10);
    for (let k = 0; k + 10 <= all.length; k += 10) {
      expect(new Set(all.slice(k, k + 10).map((i) => i.group)).size).toBeGreaterThanOrEqual(9);
    }
    const kindsPerGroup = new Map<string, Set<string>>();
    for (const i of all) kindsPerGroup.set(i.group, (kindsPerGroup.get(i.group) ?? new Set()).add(i.kind));
    for (const kinds of kindsPerGroup.values()) expect(kinds.size).toBeGreaterThanOrEqual(4);
  });

  test('a DDoS multiplies inbound traffic or requests several times at once', () => {
    const ddos = first('ddos');
    expect(ddos.direction).toBe('up');
    expect(['interface_bytes_per_second', 'http_requests_per_second']).toContain(ddos.primary.metric);
    const mid = (ddos.start + ddos.end) / 2;
    expect(factor(ddos.primary, mid)).toBeCloseTo(ddos.magnitude, 6);
    expect(ddos.magnitude).toBeGreaterThanOrEqual(5);
    expect(sim.valueAt(ddos.primary, ddos.start + MINUTE)).toBeGreaterThan(
      3 * sim.valueAt(ddos.primary, ddos.start - MINUTE),
    );
    expect(factor(ddos.primary, ddos.end + MINUTE)).toBeCloseTo(1, 6);
  });

  test('an outage drops a link to near zero in both directions, or a service to almost no requests', () => {
    const outages = incidents.filter((i) => i.kind === 'outage');
    expect(outages.some((i) => i.primary.metric === 'interface_bytes_per_second')).toBe(true);
    expect(outages.some((i) => i.primary.metric === 'http_requests_per_second')).toBe(true);
    for (const outage of outages) {
      expect(outage.direction).toBe('down');
      const t = outage.start + 5 * MINUTE;
      expect(factor(outage.primary, t)).toBeCloseTo(0.01, 6);
      expect(sim.valueAt(outage.primary, t)).toBeLessThan(
        0.05 * sim.valueAt(outage.primary, outage.start - MINUTE),
      );
      const traffic = rateTargets(outage).filter((l) => l.metric === 'interface_bytes_per_second');
      if (traffic.length > 0) {
        expect(traffic.map((l) => l.direction).sort()).toEqual(['in', 'out']);
        for (const l of traffic) expect(factor(l, t)).toBeCloseTo(0.01, 6);
      } else {
        expect(factor({ ...outage.primary, metric: 'http_error_ratio' }, t)).toBeGreaterThan(10);
      }
    }
  });

  test('a level shift holds one step change for hours, then ends', () => {
    const shift = first('level_shift');
    const target = shift.primary;
    for (const t of [shift.start + MINUTE, shift.start + 4 * HOUR, shift.end - MINUTE]) {
      expect(factor(target, t)).toBeCloseTo(shift.magnitude, 6);
    }
    expect(factor(target, shift.start - MINUTE)).toBeCloseTo(1, 6);
    expect(factor(target, shift.end + MINUTE)).toBeCloseTo(1, 6);
    expect(shift.end - shift.start).toBe(8 * HOUR);
    expect(shift.direction).toBe(shift.magnitude > 1 ? 'up' : 'down');
  });

  test('a slow ramp drifts upwards gradually', () => {
    const ramp = first('slow_ramp');
    const at = (p: number) => factor(ramp.primary, ramp.start + p * (ramp.end - ramp.start));
    expect(at(0)).toBeCloseTo(1, 6);
    expect(at(0.25)).toBeGreaterThan(1.1);
    expect(at(0.5)).toBeGreaterThan(at(0.25));
    expect(at(0.99)).toBeGreaterThan(at(0.5));
    expect(at(0.99)).toBeCloseTo(ramp.magnitude, 1);
  });

  test('flapping takes the link or service down and up again every few minutes', () => {
    const flap = first('flapping');
    const states: boolean[] = [];
    for (let t = flap.start + MINUTE / 2; t < flap.end; t += MINUTE)
      states.push(factor(flap.primary, t) < 0.1);
    const transitions = states.slice(1).filter((down, i) => down !== states[i]).length;
    expect(transitions).toBeGreaterThanOrEqual((2 * (flap.end - flap.start)) / FLAP_PERIOD_MS - 2);
    expect(states[0]).toBe(true);
  });
});

describe('counter series', () => {
  const counter = { metric: 'interface_bytes_total', site: 'fra', link: 'ix', direction: 'out' };
  // At speed 60 a reset comes every 10–18 minutes of series time.
  const sim = new TrafficSimulator({ seed: 9, speed: 60, kinds: ['counters'] });
  const from = T0;
  const to = T0 + 40 * MINUTE;

  test('count up monotonically between resets and restart near zero at each scheduled reset', () => {
    const resets = sim
      .counterResets(from, to)
      .filter((r) => r.labels.site === 'fra' && r.labels.link === 'ix' && r.labels.direction === 'out');
    expect(resets.length).toBeGreaterThanOrEqual(2);
    const resetTimes = resets.map((r) => r.time);
    let previous = sim.valueAt(counter, from);
    let drops = 0;
    for (let t = from + 10_000; t <= to; t += 10_000) {
      const v = sim.valueAt(counter, t);
      if (v < previous) {
        drops++;
        expect(resetTimes.some((r) => r > t - 10_000 && r <= t)).toBe(true);
        expect(v).toBeLessThan(previous / 10);
      }
      previous = v;
    }
    expect(drops).toBe(resets.length);
  });

  test('increase at the rate of the matching bytes/s series', () => {
    const rate = new TrafficSimulator({ seed: 9, speed: 60 });
    const [reset] = sim
      .counterResets(from, to)
      .filter((r) => r.labels.link === 'ix' && r.labels.direction === 'out');
    const a = reset.time + 60_000;
    const b = a + 60_000;
    const counted = (sim.valueAt(counter, b) - sim.valueAt(counter, a)) / 60;
    let expected = 0;
    for (let t = a + 1000; t <= b; t += 1000)
      expected += rate.valueAt({ ...counter, metric: 'interface_bytes_per_second' }, t);
    expect(counted).toBeCloseTo(expected / 60, -1);
  });
});

describe('SimulatorSource', () => {
  const source = new SimulatorSource({ seed: 1, speed: 10, kinds: ['traffic', 'http'] });

  test('returns points on the step grid within the range, for the series the matchers select', async () => {
    const series = await source.fetch({
      start: T0 + 1,
      end: T0 + 60_000,
      step: 6000,
      matchers: [
        { name: 'site', op: '=', value: 'ams' },
        { name: 'link', op: '=~', value: 'transit-.*' },
      ],
    });
    expect(series.map((s) => `${s.labels.link}/${s.labels.direction}`).sort()).toEqual([
      'transit-1/in',
      'transit-1/out',
      'transit-2/in',
      'transit-2/out',
    ]);
    for (const s of series) {
      expect(s.timestamps[0]).toBe(T0 + 6000);
      expect(s.timestamps.at(-1)).toBe(T0 + 60_000);
      expect(s.values).toHaveLength(10);
      expect(s.values[0]).toBe(source.simulator.valueAt(s.labels, T0 + 6000));
    }
  });

  test('gives every series the Grafana unit of its values as scored: a byte counter is scored as bytes/s', async () => {
    const all = new SimulatorSource({ kinds: ['traffic', 'http', 'counters'] });
    const series = await all.fetch({ start: T0, end: T0 + 60_000, step: 60_000, matchers: [] });
    const units = new Map<string, Set<string | undefined>>();
    for (const s of series) {
      if (!units.has(s.labels.metric)) units.set(s.labels.metric, new Set());
      units.get(s.labels.metric)!.add(s.unit);
    }
    expect(Object.fromEntries([...units].map(([m, u]) => [m, [...u]]))).toEqual({
      interface_bytes_per_second: ['Bps'],
      interface_bytes_total: ['Bps'],
      http_requests_per_second: ['reqps'],
      http_error_ratio: ['percentunit'],
      http_latency_p95_seconds: ['s'],
    });
    expect(series).toHaveLength(37);
    // The simulator's README says how many series it has, and of which catalog.
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      `${LINKS.length === 7 ? 'seven' : LINKS.length} links, ${SERVICES.length === 3 ? 'three' : SERVICES.length} HTTP services: ${series.length} series.`,
    );
  });

  test('rejects when the request is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job stopped'));
    await expect(
      source.fetch({ start: T0, end: T0 + HOUR, step: 6000, matchers: [], signal: controller.signal }),
    ).rejects.toThrow('job stopped');
  });
});
