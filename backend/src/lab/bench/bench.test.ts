/**
 * Smoke test of the bench: every measurement runs on tiny inputs and returns finite, positive
 * numbers in the documented shape. No timing is asserted: the machine is shared and noisy.
 */
import { runCli } from '../../cli/testing.js';
import { formatBenchReport } from './report.js';
import { QUICK_PLAN, runBench, type BenchPlan, type BenchResult } from './run.js';
import { median, percentile } from './stats.js';

/** The quick plan shrunk to seconds: synthetic 5-minute series only, the API scored inline. */
const TINY: BenchPlan = {
  ...QUICK_PLAN,
  mode: 'custom',
  nabRoot: null,
  synthetic: { ...QUICK_PLAN.synthetic, points: 1500, stepMs: 300_000 },
  warmupPoints: 200,
  peer: { ...QUICK_PLAN.peer, budgetMs: 50 },
  memory: [{ detector: 'auto', streams: 20, points: 100, period: 288 }],
  // jest runs TypeScript sources, which the pool's worker thread cannot load: score inline.
  api: { series: 2, points: 300, requests: 2, warmup: 1, workerThreads: 0 },
  // One 14-day scenario at a fixed seed: the engine runs ~10× slower under jest (scenarios/guard.test.ts).
  scenarios: { seeds: [5], only: ['spikes'] },
};

const positive = (n: number) => Number.isFinite(n) && n > 0;

describe('trafficlens bench on tiny inputs', () => {
  let result: BenchResult;
  beforeAll(async () => {
    result = await runBench(TINY);
  });

  test('measures every detector on both causal paths with finite, positive points/s', () => {
    expect(result.throughput).toHaveLength(4 * 2 * result.inputs.length);
    for (const cell of result.throughput) {
      expect(positive(cell.pointsPerSec)).toBe(true);
      expect(cell.points).toBe(1500);
      expect(cell.runsMs).toHaveLength(TINY.reps);
    }
    expect(result.overall.map((o) => `${o.detector}/${o.path}`)).toEqual([
      'robust/stream',
      'robust/batch',
      'seasonal/stream',
      'seasonal/batch',
      'kmeans/stream',
      'kmeans/batch',
      'auto/stream',
      'auto/batch',
    ]);
    for (const o of result.overall) expect(positive(o.pointsPerSec)).toBe(true);
  });

  test('scores a prefix with augurs after filling its window of whole seasons, and gives ratios', () => {
    const [peer] = result.peer;
    expect(peer).toMatchObject({ series: 'synthetic_5min', period: 288, window: 864, level: 0.99 });
    expect(peer.scored).toBeGreaterThanOrEqual(3);
    expect(peer.scored).toBeLessThanOrEqual(1500 - 864);
    expect(positive(peer.pointsPerSec)).toBe(true);
    expect(result.ratios).toHaveLength(result.throughput.length);
    for (const r of result.ratios) expect(positive(r.ratio)).toBe(true);
  });

  test('measures live stream memory past warm-up, with gc obtained in-process', () => {
    const [m] = result.memory;
    expect(m).toMatchObject({ detector: 'auto', streams: 20, pointsPerStream: 100, state: 'ok' });
    expect(Number.isFinite(m.heapBytesPerStream)).toBe(true);
    // The detectors' windows are Float64Arrays: their contents live in array buffers.
    expect(positive(m.arrayBufferBytesPerStream)).toBe(true);
    expect(positive(m.totalBytesPerStream)).toBe(true);
  });

  test('measures /api/v1/score latency against a listening app, and the JSON floor', () => {
    const api = result.api!;
    expect(api).toMatchObject({ series: 2, pointsPerSeries: 300, requests: 2, executor: { mode: 'inline' } });
    for (const n of [
      api.p50Ms,
      api.p99Ms,
      api.floor.p50Ms,
      api.ratioP50,
      api.requestBytes,
      api.responseBytes,
    ]) {
      expect(positive(n)).toBe(true);
    }
    expect(api.responseBytes).toBeGreaterThan(api.requestBytes);
    expect(api.decode.p50Ms).toBeGreaterThanOrEqual(0);
    expect(api.decode.p99Ms).toBeGreaterThanOrEqual(api.decode.p50Ms);
  });

  test("runs the scenario suite at the plan's seeds", () => {
    const sc = result.scenarios!;
    expect(sc.seeds).toEqual([5]);
    expect(sc.runs.map((r) => r.scenario)).toEqual(['spikes']);
    expect(sc.scenarios[0]).toMatchObject({ scenario: 'spikes', incidents: 3, seeds: 1 });
  });

  test('checks the targets and prints a report with the machine in its header', () => {
    expect(result.targets.map((t) => t.name)).toEqual([
      'auto stream points/s (all series)',
      'auto batch points/s (all series)',
      'auto ÷ augurs (worst series and path)',
    ]);
    const text = formatBenchReport(result);
    expect(text).toContain(`node ${process.version}`);
    expect(text).toMatch(/\d+ cores/);
    expect(text).toMatch(/auto\s+stream\s+[\d,]+/);
    expect(text).toContain('augurs MSTL+ETS 99%');
    expect(text).toContain('latency ÷ floor');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('bench statistics', () => {
  test.each([
    ['one sample', [5], 50, 5],
    ['p50 of four samples', [1, 2, 3, 4], 50, 2],
    ['p99 of 30 samples (the maximum)', Array.from({ length: 30 }, (_, i) => i + 1), 99, 30],
    ['p0 (the minimum)', [3, 1, 2], 0, 1],
    ['no samples', [], 50, NaN],
  ])('percentile by nearest rank: %s', (_name, samples, p, expected) => {
    expect(percentile(samples as number[], p as number)).toBe(expected);
  });

  test('median averages the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('trafficlens bench command line', () => {
  test('lists its options in --help', async () => {
    const r = await runCli(['bench', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--quick',
      '--json <file>',
      '--detectors <list>',
      '--data <dir>',
      '--worker-threads <n>',
      '--no-scenarios',
      '--no-load',
      '--only-load',
      '--load-service <main.js>',
      '--load-node-args <flags>',
      '--load-bodies <list>',
      '--load-clients <list>',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('refuses an unknown detector name, as a usage error', async () => {
    const r = await runCli(['bench', '--detectors', 'auto,lstm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a comma-separated list of auto, robust, seasonal, kmeans');
  });

  test('refuses an unknown load body or a concurrency that is not a positive integer, as usage errors', async () => {
    const body = await runCli(['bench', '--only-load', '--load-bodies', 'small,huge']);
    expect(body.code).toBe(2);
    expect(body.stderr).toContain('expected small or dashboard, got huge');
    const clients = await runCli(['bench', '--only-load', '--load-clients', '16,0']);
    expect(clients.code).toBe(2);
    expect(clients.stderr).toContain('expected integers from 1 to 1024');
  });

  test('refuses a worker thread count that is not an integer, as a usage error', async () => {
    const r = await runCli(['bench', '--worker-threads', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected an integer from 0 to 256');
  });
});
