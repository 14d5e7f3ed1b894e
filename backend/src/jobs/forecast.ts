/**
 * Continuous forecasts of a job's series (the jobs file's `forecast:` block): each series' retained
 * points (a counter's already as its rate, as the stream scored them) forecast for the horizon on a
 * schedule of its own (`refresh`, not every tick: a forecast a day ahead does not change in 15 s), and
 * with a capacity the time until the median and upper paths reach a share of it. jobs/metrics.ts
 * exports the results as trafficlens_forecast_* gauges; the saturation alert reads them.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { forecastSeries, HistoryTooShort, timeToThreshold, type SeriesForecast } from '../forecast/index.js';
import type { Labels, Source } from '../sources/source.js';
import type { ForecastSpec } from './config.js';
import type { SeriesSlot } from './seriesTable.js';

export interface SeriesForecastResult {
  labels: Labels;
  state: SeriesForecast['state'] | 'history_too_short';
  /** Median and upper 95 % forecast at the horizon; null without a forecast. */
  atHorizon: { mean: number; upper95: number } | null;
  capacity: number | null;
  /** Seconds until the median / upper path reaches capacity × fraction; Infinity: not within the horizon. */
  secondsToThreshold: { median: number; upper: number } | null;
}

/** Series forecast between yields to the event loop. */
const YIELD_EVERY = 20;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A capacity series matches a job series when each of its labels (but the metric name) is the series'. */
function matchesCapacity(capacity: Labels, series: Labels): boolean {
  return Object.entries(capacity).every(([k, v]) => k === '__name__' || series[k] === v);
}

export class JobForecasts {
  private results = new Map<string, SeriesForecastResult>();
  private refreshedAt = -Infinity;
  lastError: string | null = null;
  /** Duration of the last refresh, ms. */
  lastDurationMs: number | null = null;

  constructor(
    readonly spec: ForecastSpec,
    private readonly deps: {
      stepMs: number;
      capacitySource?: Source | null;
      now?: () => number;
      /** Told the refresh's last problem (the job logs it); the forecasts carry on without what failed. */
      onError?: (message: string) => void;
    } = {
      stepMs: 60_000,
    },
  ) {}

  get lastRefreshAt(): number | null {
    return Number.isFinite(this.refreshedAt) ? this.refreshedAt : null;
  }

  due(now: number): boolean {
    return now - this.refreshedAt >= this.spec.refreshMs;
  }

  /** The latest result of every series still in the job. */
  all(): SeriesForecastResult[] {
    return [...this.results.values()];
  }

  /**
   * Forecast every series now. Never throws: a failure of the capacity query is kept in lastError and
   * the series are forecast without a capacity.
   */
  async refresh(now: number, slots: Iterable<SeriesSlot>): Promise<void> {
    const started = (this.deps.now ?? Date.now)();
    this.refreshedAt = now;
    this.lastError = null;
    const capacities = await this.capacities(now);
    const next = new Map<string, SeriesForecastResult>();
    let n = 0;
    for (const slot of slots) {
      if (++n % YIELD_EVERY === 0) await yieldToEventLoop();
      try {
        next.set(slot.key, this.forecastOne(slot, capacities));
      } catch (err) {
        this.lastError = `${slot.key}: ${message(err)}`;
      }
    }
    this.results = next;
    this.lastDurationMs = (this.deps.now ?? Date.now)() - started;
    if (this.lastError !== null) this.deps.onError?.(this.lastError);
  }

  private forecastOne(slot: SeriesSlot, capacities: { labels: Labels; value: number }[] | null) {
    const { timestamps, values } = slot.ring.values();
    const capacity = this.capacityOf(slot.labels, capacities);
    let f: SeriesForecast;
    try {
      // The ring holds what the stream scored: a counter's rate already, so no second conversion.
      f = forecastSeries(timestamps, values, {
        horizonMs: this.spec.horizonMs,
        method: this.spec.method,
        counter: false,
      });
    } catch (err) {
      if (!(err instanceof HistoryTooShort)) throw err;
      return {
        labels: slot.labels,
        state: 'history_too_short' as const,
        atHorizon: null,
        capacity,
        secondsToThreshold: null,
      };
    }
    const last = f.mean.length - 1;
    const atHorizon = f.state === 'ok' ? { mean: f.mean[last], upper95: f.upper95[last] } : null;
    let secondsToThreshold: SeriesForecastResult['secondsToThreshold'] = null;
    if (capacity !== null && f.last) {
      const c = timeToThreshold(f, capacity, { fraction: this.spec.fraction });
      const s = (ms: number | null) => (ms === null ? Infinity : ms / 1000);
      secondsToThreshold = { median: s(c.medianMs), upper: s(c.upperMs) };
    }
    return { labels: slot.labels, state: f.state, atHorizon, capacity, secondsToThreshold };
  }

  private capacityOf(labels: Labels, fetched: { labels: Labels; value: number }[] | null): number | null {
    const c = this.spec.capacity;
    if (c === null) return null;
    if (c.kind === 'value') return c.value;
    if (c.kind === 'label') {
      const v = Number(labels[c.name]);
      return labels[c.name] !== undefined && Number.isFinite(v) && v > 0 ? v : null;
    }
    const match = fetched?.find((f) => matchesCapacity(f.labels, labels));
    return match && match.value > 0 ? match.value : null;
  }

  /** The capacity series of an `expr` capacity: each one's newest value over the last few steps. */
  private async capacities(now: number): Promise<{ labels: Labels; value: number }[] | null> {
    const c = this.spec.capacity;
    if (c?.kind !== 'expr') return null;
    if (!this.deps.capacitySource) {
      this.lastError = `capacity_expr needs a Prometheus: set TRAFFICLENS_PROMETHEUS_URL`;
      return null;
    }
    const step = this.deps.stepMs;
    try {
      const series = await this.deps.capacitySource.fetch({
        start: now - 10 * step,
        end: now,
        step,
        matchers: [],
      });
      const out: { labels: Labels; value: number }[] = [];
      for (const s of series) {
        for (let i = s.values.length - 1; i >= 0; i--) {
          const v = s.values[i];
          if (v !== null && Number.isFinite(v)) {
            out.push({ labels: s.labels, value: v });
            break;
          }
        }
      }
      return out;
    } catch (err) {
      this.lastError = `capacity ${JSON.stringify(c.expr)}: ${message(err)}`;
      return null;
    }
  }

  /** Forget series the job no longer has (called with the current keys). */
  retain(keys: Set<string>): void {
    for (const key of this.results.keys()) if (!keys.has(key)) this.results.delete(key);
  }
}
