/**
 * query_range answers as the bytes Prometheus sent, and the pure steps from them to series: parse
 * one answer, join the answers of a range fetched in pieces. The client fetches; the parse can then
 * run where it does not hold up anything else (POST /api/v1/query parses in a scoring worker).
 */
import { seriesKey, type Labels, type SourceSeries } from '../source.js';
import { parseEnvelope, parseMatrix } from './parse.js';

export const QUERY_RANGE_ENDPOINT = '/api/v1/query_range';

/** One HTTP answer of query_range, unparsed. */
export interface RangeAnswer {
  status: number;
  bytes: Uint8Array;
}

export const isSuccessStatus = (status: number) => status >= 200 && status <= 299;

/**
 * The series of one answer, or the PrometheusError it is (an error envelope, a proxy's page, a bad shape).
 * With `keep`, only the series it keeps are converted (parseMatrix).
 */
export function parseRangeAnswer(
  { status, bytes }: RangeAnswer,
  keep?: (labels: Labels) => boolean,
): SourceSeries[] {
  // Buffer's decoder, as the client always used: invalid bytes become U+FFFD, a BOM is kept.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return parseMatrix(QUERY_RANGE_ENDPOINT, parseEnvelope(QUERY_RANGE_ENDPOINT, status, text), keep);
}

/** Joins the pieces of consecutive ranges: a series (by its labels) continues where it left off. */
export class SeriesJoiner {
  private readonly joined = new Map<string, SourceSeries>();

  add(pieces: readonly SourceSeries[]): void {
    for (const piece of pieces) {
      const key = seriesKey(piece.labels);
      const series = this.joined.get(key);
      if (!series) {
        this.joined.set(key, piece);
        continue;
      }
      for (let i = 0; i < piece.timestamps.length; i++) {
        series.timestamps.push(piece.timestamps[i]);
        series.values.push(piece.values[i]);
      }
    }
  }

  series(): SourceSeries[] {
    return [...this.joined.values()];
  }
}

/** The answers of one range, in order, as its series; the first answer that fails throws. */
export function parseRangeAnswers(answers: readonly RangeAnswer[]): SourceSeries[] {
  const joiner = new SeriesJoiner();
  for (const answer of answers) joiner.add(parseRangeAnswer(answer));
  return joiner.series();
}
