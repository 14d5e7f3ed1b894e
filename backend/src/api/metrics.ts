/**
 * The API's own metrics, registered on the registry the app is given (never prom-client's global
 * one, so each test app is isolated). Pool gauges are read in collect() at scrape time.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { ScoringExecutor } from './executor.js';
import { seriesDroppedCounter } from '../jobs/metrics.js';
import { Scrape, type TextChunk } from '../jobs/scrapeText.js';

/**
 * The registry in the text format, one metric at a time: a metric that fails to render (a collector
 * that throws, a string too long for V8) is left out and counted, and the scrape still answers with
 * everything else; prom-client's registry.metrics() would fail the whole scrape. The parts are
 * written one by one, so no single string holds the whole exposition. Same bytes as
 * registry.metrics() when nothing fails.
 */
/**
 * A metric that writes its own text-format family (HELP, TYPE, samples), in chunks (text or UTF-8
 * bytes that stay valid until the scrape is written: jobs/scrapeText.ts).
 */
export interface TextExposition {
  exposition(scrape: Scrape): TextChunk[] | Promise<TextChunk[]>;
}
export type { TextChunk };

export async function writeMetrics(
  registry: Registry,
  write: (chunk: TextChunk) => void,
  onError: (metric: string, err: unknown) => void = () => {},
): Promise<() => void> {
  const dropped = seriesDroppedCounter(registry);
  const scrape = new Scrape();
  let first = true;
  for (const metric of registry.getMetricsAsArray()) {
    const name = (metric as { name: string }).name;
    let parts: TextChunk[];
    try {
      // A metric that renders its own text (the jobs' per-series families, jobs/metrics.ts) gives it in
      // chunks, without prom-client's per-sample objects; the same bytes.
      const own = (metric as Partial<TextExposition>).exposition;
      parts =
        typeof own === 'function'
          ? await own.call(metric, scrape)
          : [await registry.getSingleMetricAsString(name)];
    } catch (err) {
      dropped.inc({ metric: name, reason: 'render_failed' });
      onError(name, err);
      continue;
    }
    if (!first) write('\n\n');
    for (const part of parts) write(part);
    first = false;
  }
  write('\n');
  // The caller's to call once every chunk is written out: the scrape's slabs are then written over.
  return () => scrape.written();
}

/** A chunk as bytes (a view, not a copy, of a chunk already encoded). */
export const bytesOf = (chunk: TextChunk): Buffer =>
  typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/** A chunk's length in bytes, without encoding a string chunk into a buffer. */
export const byteLengthOf = (chunk: TextChunk): number =>
  typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.byteLength;

/** The whole exposition as one string (tests, small registries): writeMetrics' chunks decoded. */
export async function metricsText(
  registry: Registry,
  onError?: (metric: string, err: unknown) => void,
): Promise<string> {
  const parts: Buffer[] = [];
  const written = await writeMetrics(registry, (chunk) => parts.push(bytesOf(chunk)), onError);
  const text = Buffer.concat(parts).toString('utf8');
  written();
  return text;
}

export interface ApiMetrics {
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  pointsScored: Counter<'detector'>;
  scoringErrors: Counter<'detector' | 'kind'>;
}

export interface ApiMetricsOptions {
  registry: Registry;
  executor: ScoringExecutor;
  version: string;
  /** Node process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
}

export function createApiMetrics({
  registry,
  executor,
  version,
  defaultMetrics = true,
}: ApiMetricsOptions): ApiMetrics {
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  seriesDroppedCounter(registry);

  new Gauge({
    name: 'trafficlens_build_info',
    help: 'Always 1; the version label says which build is running',
    labelNames: ['version'],
    registers,
  }).set({ version }, 1);

  new Gauge({
    name: 'trafficlens_scoring_pool_threads',
    help: 'Worker threads in the scoring pool (0 when scoring runs inline)',
    registers,
    collect() {
      this.set(executor.stats().threads);
    },
  });
  new Gauge({
    name: 'trafficlens_scoring_pool_queued_tasks',
    help: 'Scoring tasks waiting for a free worker',
    registers,
    collect() {
      this.set(executor.stats().queuedTasks);
    },
  });
  new Gauge({
    name: 'trafficlens_scoring_pool_utilization_ratio',
    help: 'Share of the pool capacity spent running tasks since start (0-1)',
    registers,
    collect() {
      this.set(executor.stats().utilization);
    },
  });

  return {
    httpDuration: new Histogram({
      name: 'trafficlens_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status code',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    pointsScored: new Counter({
      name: 'trafficlens_api_points_scored_total',
      help: 'Input points scored through POST /api/v1/score',
      labelNames: ['detector'],
      registers,
    }),
    scoringErrors: new Counter({
      name: 'trafficlens_api_scoring_errors_total',
      help: 'POST /api/v1/score requests that failed after validation (engine, worker, overload, timeout)',
      labelNames: ['detector', 'kind'],
      registers,
    }),
  };
}
