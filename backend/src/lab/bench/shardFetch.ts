/**
 * What a sharded replica spends on a Prometheus answer holding every series of a job: the answer is
 * fetched whole (an arbitrary PromQL expression cannot be split by shard), then either every series is
 * converted and the replica's share kept afterwards (before issue 15's item), or the series the replica
 * does not own are dropped as soon as their labels are read (FetchRequest.keep, sources/prometheus/parse.ts).
 * JSON.parse of the answer is the floor both pay.
 *
 * Why the input looks the way it does: one query_range answer of a live tick's worth of history for a
 * large job (20,000 series × 60 one-minute points: the hour a job refetches after a restart without a
 * snapshot, or a backfill piece), five labels per series, values as Prometheus writes them (strings).
 */
import { parseRangeAnswer, type RangeAnswer } from '../../sources/prometheus/range.js';
import { ownsSeries } from '../../jobs/shard.js';
import type { Labels } from '../../sources/source.js';
import { median, nowMs } from './stats.js';

export interface ShardFetchOptions {
  series: number;
  points: number;
  shards: number;
  repetitions: number;
}

export const SHARD_FETCH_FULL: ShardFetchOptions = { series: 20_000, points: 60, shards: 3, repetitions: 5 };
export const SHARD_FETCH_QUICK: ShardFetchOptions = { series: 2_000, points: 60, shards: 3, repetitions: 2 };

export interface ShardFetchResult {
  options: ShardFetchOptions;
  answerBytes: number;
  owned: number;
  /** Medians (ms): JSON.parse alone; convert all then keep the share; keep the share while converting. */
  jsonParseMs: number;
  allThenFilterMs: number;
  keepWhileParsingMs: number;
}

function answer({ series, points }: ShardFetchOptions): RangeAnswer {
  const t0 = Date.UTC(2025, 0, 13, 12) / 1000;
  const result = Array.from({ length: series }, (_, i) => ({
    metric: {
      __name__: 'interface_bytes_per_second',
      instance: `router-${(i % 500).toString().padStart(3, '0')}.example.net:9100`,
      interface: `xe-0/0/${i % 48}`,
      site: `site-${i % 40}`,
      direction: i % 2 ? 'in' : 'out',
    },
    values: Array.from({ length: points }, (_, k) => [
      t0 + 60 * k,
      String(1e6 + ((i * 7919 + k * 104729) % 99991)),
    ]),
  }));
  const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
  return { status: 200, bytes: Buffer.from(text) };
}

export function measureShardFetch(options: ShardFetchOptions): ShardFetchResult {
  const a = answer(options);
  const shard = { index: 0, count: options.shards };
  const owns = (labels: Labels) => ownsSeries(shard, 'edge', labels);
  const parse: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  let owned = 0;
  for (let r = 0; r < options.repetitions + 1; r++) {
    let t = nowMs();
    JSON.parse(Buffer.from(a.bytes).toString('utf8'));
    const p = nowMs() - t;
    t = nowMs();
    const all = parseRangeAnswer(a).filter((s) => owns(s.labels));
    const b = nowMs() - t;
    t = nowMs();
    const mine = parseRangeAnswer(a, owns);
    const c = nowMs() - t;
    if (mine.length !== all.length) throw new Error('keep and filter disagree on the share');
    owned = mine.length;
    // The first round compiles the code: not counted.
    if (r === 0) continue;
    parse.push(p);
    before.push(b);
    after.push(c);
  }
  return {
    options,
    answerBytes: a.bytes.byteLength,
    owned,
    jsonParseMs: median(parse),
    allThenFilterMs: median(before),
    keepWhileParsingMs: median(after),
  };
}

export function formatShardFetchReport(r: ShardFetchResult, table: (rows: string[][]) => string): string {
  const { series, points, shards, repetitions } = r.options;
  return [
    `Sharded fetch: one query_range answer of ${series} series × ${points} points (${(r.answerBytes / 1e6).toFixed(1)} MB), ` +
      `replica 0 of ${shards} owns ${r.owned}; medians of ${repetitions}`,
    table([
      ['', 'ms'],
      ['JSON.parse of the answer (the floor)', r.jsonParseMs.toFixed(0)],
      ['convert every series, then keep the share', r.allThenFilterMs.toFixed(0)],
      ['keep the share while converting (FetchRequest.keep)', r.keepWhileParsingMs.toFixed(0)],
    ]),
    '',
  ].join('\n');
}
