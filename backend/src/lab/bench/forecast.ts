/**
 * Forecast accuracy, side by side in one run: every method forecasts the same held-out days of the same
 * series, through the same pipeline the API and the jobs use (forecast/forecastSeries: cleaning,
 * counters as rates, coarsening, period detection).
 *
 * Series: NAB realTraffic (road sensors: occupancy, speed, travel time; irregular, gappy, ~2 weeks) and
 * realKnownCause (machine metrics and taxi demand with known failures in them), and simulator links and
 * their byte counters (3 weeks at 5 min). Origins: the start of each of the last `origins` horizons;
 * the history is everything before the origin.
 *
 * Measures, per method: MASE (mean absolute error ÷ the history's in-sample mean absolute one-day
 * seasonal difference, on the forecast's own grid: < 1 beats "same time yesterday" as fitted in
 * sample), the share of held-out points inside the 80 % and 95 % intervals, and the time of one
 * forecast (history → path) and so of 1,000 series.
 */
import { loadAugurs, augursEts, augursMstl } from '../../forecast/augurs.js';
import { forecastSeries, type SeriesForecast } from '../../forecast/forecast.js';
import { prepareHistory } from '../../forecast/history.js';
import type { ForecastFn, ForecastMethodName } from '../../forecast/methods.js';
import { cleanSeries } from '../../series/clean.js';
import { TrafficSimulator } from '../../sources/simulator/index.js';
import { loadNabSeries } from './inputs.js';
import { mean, median, nowMs } from './stats.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const FORECAST_BENCH_METHODS: readonly ForecastMethodName[] = [
  'seasonal_trend',
  'seasonal_naive',
  'mstl',
  'ets',
];

export const NAB_TRAFFIC = [
  'realTraffic/TravelTime_387.csv',
  'realTraffic/TravelTime_451.csv',
  'realTraffic/occupancy_6005.csv',
  'realTraffic/occupancy_t4013.csv',
  'realTraffic/speed_6005.csv',
  'realTraffic/speed_7578.csv',
  'realTraffic/speed_t4013.csv',
] as const;

export const NAB_KNOWN_CAUSE = [
  'realKnownCause/ambient_temperature_system_failure.csv',
  'realKnownCause/cpu_utilization_asg_misconfiguration.csv',
  'realKnownCause/ec2_request_latency_system_failure.csv',
  'realKnownCause/machine_temperature_system_failure.csv',
  'realKnownCause/nyc_taxi.csv',
  'realKnownCause/rogue_agent_key_hold.csv',
  'realKnownCause/rogue_agent_key_updown.csv',
] as const;

export interface ForecastBenchPlan {
  /** NAB root, or null for the simulator only. */
  nabRoot: string | null;
  groups: { name: string; files: readonly string[] }[];
  simulator: { series: number; days: number; stepMs: number; seed: number } | null;
  horizonMs: number;
  /** Held-out horizons per series, the last ones of its data. */
  origins: number;
  methods: readonly ForecastMethodName[];
}

export const FORECAST_FULL: ForecastBenchPlan = {
  nabRoot: null,
  groups: [
    { name: 'NAB realTraffic', files: NAB_TRAFFIC },
    { name: 'NAB realKnownCause', files: NAB_KNOWN_CAUSE },
  ],
  simulator: { series: 8, days: 21, stepMs: 5 * MINUTE, seed: 17 },
  horizonMs: DAY,
  origins: 3,
  methods: FORECAST_BENCH_METHODS,
};

export const FORECAST_QUICK: ForecastBenchPlan = { ...FORECAST_FULL, origins: 1 };

/**
 * A week ahead, once per series: what capacity planning asks. Series under two weeks long (most of
 * realTraffic) have too little history before the held-out week and count as "no path".
 */
export const FORECAST_WEEK: ForecastBenchPlan = { ...FORECAST_FULL, horizonMs: 7 * DAY, origins: 1 };

interface RawSeries {
  group: string;
  name: string;
  timestamps: number[];
  values: (number | null)[];
}

export interface ForecastCase {
  group: string;
  series: string;
  origin: number;
  method: ForecastMethodName;
  state: SeriesForecast['state'] | 'failed';
  /** Whether the input was read as a counter (and forecast as its rate). */
  counter: boolean;
  mase: number;
  coverage80: number;
  coverage95: number;
  points: number;
  ms: number;
}

export interface ForecastRow {
  group: string;
  method: ForecastMethodName;
  forecasts: number;
  /** Forecasts that gave no path (a state, or the method threw). */
  failed: number;
  maseMean: number;
  maseMedian: number;
  coverage80: number;
  coverage95: number;
  msPerForecast: number;
}

export interface ForecastBenchResult {
  horizonMs: number;
  origins: number;
  series: { group: string; name: string; points: number }[];
  cases: ForecastCase[];
  rows: ForecastRow[];
}

/** Simulator links (traffic) and byte counters, alternating, so counters are forecast as rates. */
export function simulatorSeries(sim: NonNullable<ForecastBenchPlan['simulator']>): RawSeries[] {
  // Counters tick once a minute (not once a second): integrating 3 weeks second by second costs minutes
  // and changes nothing at a 5-minute step.
  const simulator = new TrafficSimulator({
    seed: sim.seed,
    kinds: ['traffic', 'counters'],
    counterResolutionMs: 60_000,
  });
  const all = simulator.series();
  const traffic = all.filter((s) => s.kind === 'traffic');
  const counters = all.filter((s) => s.kind === 'counters');
  const picked = Array.from({ length: sim.series }, (_, i) =>
    i % 2 === 0 ? traffic[(i / 2) % traffic.length] : counters[((i - 1) / 2) % counters.length],
  );
  const end = Date.UTC(2026, 0, 5);
  const n = Math.round((sim.days * DAY) / sim.stepMs);
  const timestamps = Array.from({ length: n }, (_, i) => end - (n - 1 - i) * sim.stepMs);
  return picked.map((s) => ({
    group: 'simulator',
    name: `${s.kind === 'counters' ? 'counter ' : ''}${s.labels.site}/${s.labels.link}/${s.labels.direction}`,
    timestamps,
    values: timestamps.map((t) => simulator.valueAt(s.key, t)),
  }));
}

async function loadSeries(plan: ForecastBenchPlan): Promise<RawSeries[]> {
  const out: RawSeries[] = [];
  if (plan.nabRoot) {
    for (const g of plan.groups) {
      for (const file of g.files) {
        const s = await loadNabSeries(plan.nabRoot, file);
        out.push({ group: g.name, name: s.name, timestamps: s.timestamps, values: s.values });
      }
    }
  }
  if (plan.simulator) out.push(...simulatorSeries(plan.simulator));
  return out;
}

/** Mean of the truth's grid values falling in each forecast step (t − step, t]; NaN where none. */
function bucketTruth(truthT: Float64Array, truthV: Float64Array, f: SeriesForecast): Float64Array {
  const out = new Float64Array(f.timestamps.length).fill(NaN);
  const sums = new Float64Array(out.length);
  const counts = new Uint32Array(out.length);
  const start = f.timestamps[0] - f.stepMs;
  for (let i = 0; i < truthT.length; i++) {
    if (truthT[i] <= start || Number.isNaN(truthV[i])) continue;
    const h = Math.ceil((truthT[i] - start) / f.stepMs) - 1;
    if (h >= out.length) break;
    sums[h] += truthV[i];
    counts[h]++;
  }
  for (let h = 0; h < out.length; h++) if (counts[h] > 0) out[h] = sums[h] / counts[h];
  return out;
}

/** In-sample mean absolute one-day seasonal difference (lag 1 when the history is under 2 days). */
function maseScale(y: Float64Array, stepMs: number): number {
  let m = Math.max(1, Math.round(DAY / stepMs));
  if (2 * m > y.length) m = 1;
  let sum = 0;
  for (let i = m; i < y.length; i++) sum += Math.abs(y[i] - y[i - m]);
  return sum / (y.length - m);
}

export async function measureForecasts(
  plan: ForecastBenchPlan,
  onSeries: (label: string) => void = () => {},
): Promise<ForecastBenchResult> {
  const series = await loadSeries(plan);
  const lib = await loadAugurs();
  const methods: Partial<Record<ForecastMethodName, ForecastFn>> = {
    mstl: augursMstl(lib),
    ets: augursEts(lib),
  };
  const cases: ForecastCase[] = [];
  for (const s of series) {
    // The truth on the series' own grid: cleaned once, counters as rates, as the forecasts see them.
    const truth = cleanSeries(s.timestamps, s.values, { counter: 'auto' });
    const lastT = s.timestamps[s.timestamps.length - 1];
    for (let o = plan.origins; o >= 1; o--) {
      const origin = lastT - o * plan.horizonMs;
      const cut = s.timestamps.findIndex((t) => t > origin);
      const ht = s.timestamps.slice(0, cut);
      const hv = s.values.slice(0, cut);
      const history = prepareHistory(ht, hv);
      for (const method of plan.methods) {
        const base = { group: s.group, series: s.name, origin, method };
        let f: SeriesForecast;
        const t0 = nowMs();
        try {
          f = forecastSeries(ht, hv, { horizonMs: plan.horizonMs, method, methods });
        } catch {
          cases.push({
            ...base,
            state: 'failed',
            counter: false,
            mase: NaN,
            coverage80: NaN,
            coverage95: NaN,
            points: 0,
            ms: 0,
          });
          continue;
        }
        const ms = nowMs() - t0;
        if (f.state !== 'ok' || history.kind !== 'ok') {
          cases.push({
            ...base,
            state: f.state,
            counter: f.counter,
            mase: NaN,
            coverage80: NaN,
            coverage95: NaN,
            points: 0,
            ms,
          });
          continue;
        }
        const actual = bucketTruth(truth.timestamps, truth.values, f);
        let abs = 0;
        let in80 = 0;
        let in95 = 0;
        let points = 0;
        for (let h = 0; h < actual.length; h++) {
          const a = actual[h];
          if (Number.isNaN(a)) continue;
          points++;
          abs += Math.abs(a - f.mean[h]);
          if (a >= f.lower80[h] && a <= f.upper80[h]) in80++;
          if (a >= f.lower95[h] && a <= f.upper95[h]) in95++;
        }
        const scale = maseScale(history.values, history.stepMs);
        cases.push({
          ...base,
          state: 'ok',
          counter: f.counter,
          mase: points > 0 && scale > 0 ? abs / points / scale : NaN,
          coverage80: points > 0 ? in80 / points : NaN,
          coverage95: points > 0 ? in95 / points : NaN,
          points,
          ms,
        });
      }
    }
    onSeries(`${s.group} ${s.name}`);
  }
  const groups = [...new Set(cases.map((c) => c.group)), 'all'];
  const rows: ForecastRow[] = [];
  for (const group of groups) {
    for (const method of plan.methods) {
      const mine = cases.filter((c) => (group === 'all' || c.group === group) && c.method === method);
      const ok = mine.filter((c) => c.state === 'ok' && Number.isFinite(c.mase));
      rows.push({
        group,
        method,
        forecasts: mine.length,
        failed: mine.length - ok.length,
        maseMean: mean(ok.map((c) => c.mase)),
        maseMedian: median(ok.map((c) => c.mase)),
        coverage80: mean(ok.map((c) => c.coverage80)),
        coverage95: mean(ok.map((c) => c.coverage95)),
        msPerForecast: mean(mine.map((c) => c.ms)),
      });
    }
  }
  return {
    horizonMs: plan.horizonMs,
    origins: plan.origins,
    series: series.map((s) => ({ group: s.group, name: s.name, points: s.timestamps.length })),
    cases,
    rows,
  };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : '–');
const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');

export function formatForecastReport(r: ForecastBenchResult, table: (rows: string[][]) => string): string {
  const rows = [
    [
      'series',
      'method',
      'forecasts',
      'no path',
      'MASE mean',
      'MASE median',
      'in 80 %',
      'in 95 %',
      'ms/forecast',
      's/1,000 series',
    ],
    ...r.rows.map((row) => [
      row.group,
      row.method,
      String(row.forecasts),
      String(row.failed),
      num(row.maseMean),
      num(row.maseMedian),
      pct(row.coverage80),
      pct(row.coverage95),
      row.msPerForecast.toFixed(2),
      row.msPerForecast.toFixed(1),
    ]),
  ];
  return [
    '',
    `Forecast accuracy — ${r.series.length} series, the last ${r.origins} held-out ${r.horizonMs / HOUR} h horizon${r.origins === 1 ? '' : 's'} of each (MASE < 1 beats the in-sample one-day seasonal naive; intervals should hold 80 % and 95 %):`,
    '',
    table(rows),
    '',
  ].join('\n');
}
