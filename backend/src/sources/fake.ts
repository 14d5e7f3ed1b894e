/**
 * An in-memory Source for tests and dry runs (in the spirit of vmalert's FakeQuerier): add series,
 * make every fetch fail with setError, and look at the requests it was asked.
 */
import {
  matches,
  seriesKey,
  throwIfAborted,
  type FetchRequest,
  type Labels,
  type Source,
  type SourceSeries,
} from './source.js';

interface StoredSeries {
  labels: Labels;
  points: Map<number, number | null>;
  unit?: string;
}

export class FakeSource implements Source {
  readonly kind = 'fake';
  /** Every request received, in order (including those answered with an error). */
  readonly requests: FetchRequest[] = [];
  private readonly store = new Map<string, StoredSeries>();
  private error: Error | null = null;
  private gate: Promise<void> | null = null;

  /**
   * Add points to a series (created on first use); a point at an existing timestamp replaces it. A
   * unit is returned with the series, as a source that knows its series' units does.
   */
  add(labels: Labels, points: ReadonlyArray<readonly [number, number | null]>, unit?: string): this {
    const key = seriesKey(labels);
    let series = this.store.get(key);
    if (!series) {
      series = { labels: { ...labels }, points: new Map() };
      this.store.set(key, series);
    }
    if (unit !== undefined) series.unit = unit;
    for (const [t, v] of points) series.points.set(t, v);
    return this;
  }

  /** Drop one series, as if it disappeared from the source. */
  remove(labels: Labels): this {
    this.store.delete(seriesKey(labels));
    return this;
  }

  /** Make every following fetch reject with this error, or succeed again with null. */
  setError(error: Error | null): this {
    this.error = error;
    return this;
  }

  /** Hold every following fetch until the promise settles (to test slow sources and overlapping runs). */
  setGate(gate: Promise<void> | null): this {
    this.gate = gate;
    return this;
  }

  /** Forget all series, the error, the gate and the recorded requests. */
  reset(): this {
    this.store.clear();
    this.error = null;
    this.gate = null;
    this.requests.length = 0;
    return this;
  }

  async fetch(request: FetchRequest): Promise<SourceSeries[]> {
    this.requests.push(request);
    if (this.gate) {
      const gate = this.gate;
      const { signal } = request;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () =>
          reject(signal?.reason instanceof Error ? signal.reason : new Error('fetch aborted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        gate.then(resolve, reject).finally(() => signal?.removeEventListener('abort', onAbort));
      });
    }
    throwIfAborted(request.signal);
    if (this.error) throw this.error;
    const out: SourceSeries[] = [];
    for (const series of this.store.values()) {
      if (!matches(series.labels, request.matchers)) continue;
      const timestamps = [...series.points.keys()]
        .filter((t) => t >= request.start && t <= request.end)
        .sort((a, b) => a - b);
      if (timestamps.length === 0) continue;
      out.push({
        labels: { ...series.labels },
        timestamps,
        values: timestamps.map((t) => series.points.get(t) ?? null),
        ...(series.unit !== undefined ? { unit: series.unit } : {}),
      });
    }
    return out;
  }
}
