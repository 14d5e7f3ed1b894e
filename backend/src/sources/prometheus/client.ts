/**
 * A client of the Prometheus HTTP API (also Thanos, Mimir, VictoriaMetrics: they serve the same
 * endpoints): range queries, series and label names. Where it connects and how it authenticates come
 * from the server's configuration only (TRAFFICLENS_PROMETHEUS_*), never from a request, so a scoring
 * request cannot make the service call an address of its choosing.
 *
 * Every request is a form-encoded POST (no URL length limit for long expressions), bounded by the
 * configured timeout (covering the body too) and by a response size cap, and every failure is a
 * PrometheusError whose kind says whose fault it is and which keeps the upstream's message.
 */
import type { Labels, SourceSeries } from '../source.js';
import { PrometheusError } from './errors.js';
import { parseEnvelope, parseLabelNames, parseSeriesList } from './parse.js';
import {
  isSuccessStatus,
  parseRangeAnswer,
  QUERY_RANGE_ENDPOINT,
  SeriesJoiner,
  type RangeAnswer,
} from './range.js';

/** Prometheus refuses a range query with more than 11,000 points per series (promql/engine). */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** The service passes TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES (default 64 MiB, config/schema.ts). */
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus:9090 or https://host/prometheus (the API is under /api/v1/). */
  url: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  /** Per HTTP request, body included. */
  timeoutMs: number;
  /** Points per series in one query_range request (default: Prometheus' own limit, 11,000). */
  maxPointsPerRequest?: number;
  /** A larger answer is refused (bad_response) rather than buffered. */
  maxResponseBytes?: number;
  /** Injected by tests; the global fetch (undici) otherwise. */
  fetch?: typeof fetch;
}

export interface RangeQuery {
  /** Epoch ms, inclusive; evaluation points are start, start + step, … ≤ end. */
  start: number;
  end: number;
  /** ms. */
  step: number;
  signal?: AbortSignal;
  /** Only these series are converted and returned (FetchRequest.keep); the others are skipped unread. */
  keep?: (labels: Labels) => boolean;
}

export interface TimeFilter {
  start?: number;
  end?: number;
  signal?: AbortSignal;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Duck-typed: undici's errors may come from another realm (jest's vm modules), failing instanceof. */
function messageOf(value: unknown): string | undefined {
  const message = (value as { message?: unknown } | null)?.message;
  return typeof value === 'object' && typeof message === 'string' ? message : undefined;
}

/** fetch rejects with "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause. */
function describeCause(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const message = messageOf(cause);
  if (message !== undefined) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return messageOf(err) ?? String(err);
}

export class PrometheusClient {
  /** The base URL without credentials, for messages and logs. */
  readonly displayUrl: string;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxPoints: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PrometheusClientOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`Prometheus URL must be http or https, got ${base.protocol}`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.headers = { Accept: 'application/json' };
    let basic = options.basicAuth;
    if (base.username || base.password) {
      basic ??= { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
      base.username = '';
      base.password = '';
    }
    if (options.bearerToken) this.headers.Authorization = `Bearer ${options.bearerToken}`;
    else if (basic) {
      this.headers.Authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    }
    this.base = base;
    this.displayUrl = base.href.replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs;
    this.maxPoints = options.maxPointsPerRequest ?? PROMETHEUS_MAX_POINTS;
    if (!(this.maxPoints >= 1))
      throw new RangeError(`maxPointsPerRequest must be ≥ 1, got ${this.maxPoints}`);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Evaluate `expr` over [start, end] every `step`. Ranges longer than the per-request point limit are
   * split into consecutive requests (sequentially: one scorer should not hammer its Prometheus) and the
   * pieces of each series joined; every series keeps its labels.
   */
  async queryRange(expr: string, range: RangeQuery): Promise<SourceSeries[]> {
    const joiner = new SeriesJoiner();
    await this.fetchRange(expr, range, (answer) => joiner.add(parseRangeAnswer(answer, range.keep)));
    return joiner.series();
  }

  /**
   * queryRange's answers as bytes, in order, for parseRangeAnswers to parse elsewhere (a worker): a
   * large answer's JSON.parse would hold up the event loop. An answer that is not 2xx is parsed here,
   * at once (it is an error, and small), so it ends the fetch as in queryRange; a malformed 2xx
   * answer is found by the parse, after the remaining pieces were fetched.
   */
  async queryRangeAnswers(expr: string, range: RangeQuery): Promise<RangeAnswer[]> {
    const answers: RangeAnswer[] = [];
    await this.fetchRange(expr, range, (answer) => {
      if (!isSuccessStatus(answer.status)) parseRangeAnswer(answer);
      answers.push(answer);
    });
    return answers;
  }

  /**
   * Fetches [start, end] every `step` in consecutive requests of at most the per-request point limit
   * (sequentially: one scorer should not hammer its Prometheus), handing each answer over in order.
   */
  private async fetchRange(
    expr: string,
    { start, end, step, signal }: RangeQuery,
    onAnswer: (answer: RangeAnswer) => void,
  ): Promise<void> {
    if (!(step > 0)) throw new RangeError(`step must be positive, got ${step}`);
    if (!(end >= start)) throw new RangeError(`end (${end}) is before start (${start})`);
    // Steps per request: Prometheus' limit, quartered whenever an answer is over the size cap (many
    // series), so a long range is fetched in pieces that each fit; one step over the cap is an error.
    // Quartering bounds the wasted downloads (each up to the cap) to ~7 for Prometheus' 11,000 steps.
    let steps = this.maxPoints;
    for (let from = start; from <= end;) {
      const to = Math.min(end, from + (steps - 1) * step);
      let answer: RangeAnswer;
      try {
        answer = await this.fetchAnswer(
          QUERY_RANGE_ENDPOINT,
          new URLSearchParams({
            query: expr,
            start: seconds(from),
            end: seconds(to),
            step: String(step / 1000),
          }),
          signal,
        );
      } catch (err) {
        const piece = Math.round((to - from) / step) + 1;
        if (!(err instanceof PrometheusError) || err.kind !== 'too_large' || piece <= 1) throw err;
        steps = Math.ceil(piece / 4);
        continue;
      }
      from = to + step;
      onAnswer(answer);
    }
  }

  /** Label sets of the series matching any of the selectors (e.g. `up{job="node"}`). */
  async series(selectors: readonly string[], { start, end, signal }: TimeFilter = {}): Promise<Labels[]> {
    if (selectors.length === 0) throw new RangeError('series needs at least one selector');
    const body = new URLSearchParams();
    for (const s of selectors) body.append('match[]', s);
    if (start !== undefined) body.set('start', seconds(start));
    if (end !== undefined) body.set('end', seconds(end));
    const endpoint = '/api/v1/series';
    return parseSeriesList(endpoint, await this.post(endpoint, body, signal));
  }

  /** Label names, optionally only those of series matching the selectors. */
  async labels(
    selectors: readonly string[] = [],
    { start, end, signal }: TimeFilter = {},
  ): Promise<string[]> {
    const body = new URLSearchParams();
    for (const s of selectors) body.append('match[]', s);
    if (start !== undefined) body.set('start', seconds(start));
    if (end !== undefined) body.set('end', seconds(end));
    const endpoint = '/api/v1/labels';
    return parseLabelNames(endpoint, await this.post(endpoint, body, signal));
  }

  private async post(endpoint: string, body: URLSearchParams, outer?: AbortSignal): Promise<unknown> {
    const { status, bytes } = await this.fetchAnswer(endpoint, body, outer);
    return parseEnvelope(
      endpoint,
      status,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
  }

  /** The status and bytes of one answer; every failure before the body is read whole is a PrometheusError. */
  private async fetchAnswer(
    endpoint: string,
    body: URLSearchParams,
    outer?: AbortSignal,
  ): Promise<RangeAnswer> {
    if (outer?.aborted) throw this.abortedError(endpoint, outer);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const url = new URL(endpoint.slice(1), this.base);
    let status: number;
    let bytes: Uint8Array;
    try {
      const res = await this.fetchImpl(url, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        signal,
        redirect: 'error',
      });
      status = res.status;
      bytes = await this.readBody(endpoint, res);
    } catch (err) {
      if (err instanceof PrometheusError) throw err;
      if (outer?.aborted) throw this.abortedError(endpoint, outer);
      if (timeout.aborted) {
        throw new PrometheusError(
          'timeout',
          `Prometheus at ${this.displayUrl} did not answer ${endpoint} within ${this.timeoutMs} ms`,
          { endpoint },
          { cause: err },
        );
      }
      const why = describeCause(err);
      throw new PrometheusError(
        'unreachable',
        `Prometheus at ${this.displayUrl} is unreachable (${endpoint}): ${why}`,
        { endpoint, upstreamMessage: why },
        { cause: err },
      );
    }
    return { status, bytes };
  }

  private abortedError(endpoint: string, signal: AbortSignal): PrometheusError {
    const reason = messageOf(signal.reason) ?? 'aborted';
    return new PrometheusError('aborted', `request to Prometheus ${endpoint} aborted: ${reason}`, {
      endpoint,
    });
  }

  /** The body's bytes, refusing (without buffering it) one larger than maxResponseBytes. */
  private async readBody(endpoint: string, res: Response): Promise<Uint8Array> {
    const tooLarge = () =>
      new PrometheusError(
        'too_large',
        `Prometheus ${endpoint} answered more than ${this.maxResponseBytes} bytes, the cap on one answer (TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES); refused without reading the rest: narrow the query or the range, or raise the cap`,
        { status: res.status, endpoint },
      );
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    if (!res.body) return new Uint8Array(0);
    // Chunks kept as bytes and decoded once: a string built chunk by chunk is a rope that JSON.parse
    // flattens into a second copy, and a UTF-8 decoder's output is two bytes per character.
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // Leaving the loop cancels the body: the rest is never downloaded, let alone buffered.
      if (bytes > this.maxResponseBytes) throw tooLarge();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, bytes);
  }
}
