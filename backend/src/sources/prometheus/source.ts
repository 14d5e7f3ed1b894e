/**
 * A PromQL expression behind the Source interface: a job's fetch becomes a query_range of the
 * expression on the job's step grid, and the job's label filters are applied to the series it returns
 * (an arbitrary expression cannot have matchers pushed into it).
 */
import { matches, type FetchRequest, type Labels, type Source, type SourceSeries } from '../source.js';
import type { PrometheusClient } from './client.js';

export class PrometheusSource implements Source {
  readonly kind = 'prometheus';

  constructor(
    private readonly client: PrometheusClient,
    readonly expr: string,
  ) {}

  async fetch(request: FetchRequest): Promise<SourceSeries[]> {
    const { start, end, step, matchers, signal, keep } = request;
    // Evaluate on multiples of the step, as grid sources do, so every run of a job lands on one grid.
    const first = Math.ceil(start / step) * step;
    if (first > end) return [];
    // The job's filters and the caller's share, before any sample is converted.
    const wanted =
      matchers.length === 0
        ? keep
        : (labels: Labels) => matches(labels, matchers) && (keep?.(labels) ?? true);
    return this.client.queryRange(this.expr, { start: first, end, step, signal, keep: wanted });
  }
}
